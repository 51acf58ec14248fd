package lms.rollback.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One clock for a run: the journal's. Each entry carries the machine's monotonic reading (System.nanoTime: since boot,
 * the same for every process of this boot) beside its time; an entry written on the same boot as the one before it is
 * timed from that entry by the monotonic difference, not by the wall clock, so a wall clock that is stepped, fast or slow
 * on one call neither shortens nor lengthens a decision window nor makes a run take a negative time (#38). The wall
 * clock is read only where no earlier entry of this boot exists; where it disagrees with the run's time, the entry says so.
 */
public final class RunClock {

  /** For tests only: an ISO-8601 duration (PT1H, -PT1H) this process's wall clock is read off by, as a badly set machine's is. */
  public static final String TEST_OFFSET_VARIABLE = "LMS_TEST_CLOCK_OFFSET";
  /** A wall clock further than this from the run's time is journaled as off. */
  static final Duration TOLERANCE = Duration.ofSeconds(2);
  static final String BOOT = bootId();

  private RunClock() {}

  /** This process's wall clock (shifted only by {@link #TEST_OFFSET_VARIABLE}). */
  public static Clock wall() {
    String offset = System.getenv(TEST_OFFSET_VARIABLE);
    if (offset == null || offset.isBlank()) return Clock.systemUTC();
    return Clock.offset(Clock.systemUTC(), Duration.parse(offset.strip()));
  }

  /** The run's time for an entry written now after {@code previous} (null: the journal's first), given the wall clock's reading. */
  static Instant after(JsonNode previous, Instant wall, long mono) {
    if (previous == null) return wall;
    Instant before = Instant.parse(previous.path("ts").asText());
    if (BOOT != null && BOOT.equals(previous.path("boot").asText(null)) && previous.has("mono")) {
      return before.plusNanos(Math.max(0, mono - previous.path("mono").asLong()));
    }
    // another boot or machine: its wall clock is all there is, but the journal's order is never run backwards
    return wall.isBefore(before) ? before : wall;
  }

  /** A clock that reads the run's time of {@code journal}: its last entry's, moved on by the monotonic time since. */
  static Clock of(Path journal, Clock wall) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        long mono = System.nanoTime();
        return after(Journal.lastEntry(journal), wall.instant(), mono);
      }
    };
  }

  private static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    } catch (IOException | RuntimeException e) {
      return null; // no boot id: entries are timed by the wall clock, never backwards
    }
  }
}
