package lms.rollback.report;

import java.time.Duration;

/** How durations read in every report format (times: {@link RollbackReport#clock}). */
final class Formats {
  private Formats() {}


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
