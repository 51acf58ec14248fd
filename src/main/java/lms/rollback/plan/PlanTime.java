package lms.rollback.plan;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * How a moment reads for people — in messages, prompts, reports and the console: in the plan's time zone, to the
 * second, the zone named ("2026-12-03 02:15:07 CET"). The journal keeps instants in UTC; this is only their face.
 */
public record PlanTime(ZoneId zone) {

  public static final PlanTime UTC = new PlanTime(ZoneId.of("UTC"));

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** Date, time to the second and the zone's name. */
  public String stamp(Instant at) {
    return STAMP.withZone(zone).format(at);
  }

  public String date(Instant at) {
    return DATE.withZone(zone).format(at);
  }

  /** The time of day to the second, for tables whose heading names the zone ({@link #zoneName}). */
  public String clock(Instant at) {
    return CLOCK.withZone(zone).format(at);
  }

  /** The zone's short name at that moment (CET or CEST), for a heading above {@link #clock} times. */
  public String zoneName(Instant at) {
    return DateTimeFormatter.ofPattern("z").withZone(zone).format(at);
  }
}
