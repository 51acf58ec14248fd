package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A time from the plan: "30s", "2m", "1h30m", or a range "20m-40m" (expected 20m, allowed 40m).
 * The upper end is the budget a step is held to.
 */
public record Budget(Duration expected, Duration limit, String text) {

  public static final String ALLOWED = "a duration like 30s, 2m, 1h30m, or a range like 20m-40m";
  private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");

  @JsonCreator
  public static Budget parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty; expected " + ALLOWED);
    }
    String trimmed = text.trim();
    int dash = trimmed.indexOf('-');
    if (dash > 0) {
      Duration low = duration(trimmed.substring(0, dash), text);
      Duration high = duration(trimmed.substring(dash + 1), text);
      if (high.compareTo(low) < 0) {
        throw new IllegalArgumentException("'" + text + "' ends before it starts; expected " + ALLOWED);
      }
      return new Budget(low, high, trimmed);
    }
    Duration d = duration(trimmed, text);
    return new Budget(d, d, trimmed);
  }

  public static Budget of(Duration d) {
    return new Budget(d, d, format(d));
  }

  static Duration duration(String part, String whole) {
    var m = DURATION.matcher(part.trim());
    if (part.isBlank() || !m.matches() || (m.group(1) == null && m.group(2) == null && m.group(3) == null && m.group(4) == null)) {
      throw new IllegalArgumentException("'" + whole + "' is not a duration; expected " + ALLOWED);
    }
    long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
    long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
    long s = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    long ms = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
    return Duration.ofHours(h).plusMinutes(min).plusSeconds(s).plusMillis(ms);
  }

  /** "1m30s", "2m", "45s", "1h" — the way the plan writes it. */
  public static String format(Duration d) {
    long total = d.toSeconds();
    StringBuilder sb = new StringBuilder();
    if (total >= 3600) sb.append(total / 3600).append('h');
    if (total % 3600 >= 60) sb.append(total % 3600 / 60).append('m');
    if (total % 60 != 0 || total == 0) sb.append(total % 60).append('s');
    return sb.toString();
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
