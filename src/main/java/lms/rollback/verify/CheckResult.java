package lms.rollback.verify;

import java.util.LinkedHashMap;
import java.util.Map;

/** One named check: pass, fail, or inconclusive (which counts as a failure), with what was measured. */
public record CheckResult(String name, Status status, String measured, String threshold, long millis, String detail) {

  public enum Status { pass, fail, inconclusive }

  public boolean passed() {
    return status == Status.pass;
  }

  public static CheckResult pass(String name, String measured, String threshold, long millis) {
    return new CheckResult(name, Status.pass, measured, threshold, millis, "");
  }

  public static CheckResult fail(String name, String measured, String threshold, long millis, String detail) {
    return new CheckResult(name, Status.fail, measured, threshold, millis, detail);
  }

  public static CheckResult inconclusive(String name, String threshold, long millis, String detail) {
    return new CheckResult(name, Status.inconclusive, null, threshold, millis, detail);
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("status", status.name());
    m.put("measured", measured);
    m.put("threshold", threshold);
    m.put("millis", millis);
    m.put("detail", detail);
    return m;
  }

  /** "[pass] Health answers  measured 200 (threshold 200)" */
  public String line() {
    return String.format("  [%-4s] %-40s %s%s%s", status == Status.inconclusive ? "INC" : status == Status.pass ? "pass" : "FAIL", name,
        measured == null ? "" : "measured " + measured, threshold == null ? "" : " (needs " + threshold + ")",
        detail == null || detail.isEmpty() ? "" : " — " + detail);
  }
}
