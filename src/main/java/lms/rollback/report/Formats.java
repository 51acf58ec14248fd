package lms.rollback.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How times and durations read in every report format. */
final class Formats {
  private Formats() {}

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter DUE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  static String time(Instant t) {
    return t == null ? "—" : TIME.format(t);
  }

  static String duration(Duration d) {
    if (d == null) return "—";
    long ms = d.toMillis();
    if (ms < 60_000) return String.format("%.1fs", ms / 1000.0);
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    return String.format("%dm%02ds", ms / 60_000, ms / 1000 % 60);
  }

  static String or(String s, String fallback) {
    return s == null || s.isBlank() ? fallback : s;
  }
}
