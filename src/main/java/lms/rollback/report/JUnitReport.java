package lms.rollback.report;

import java.util.List;

/** The report's steps and checks as JUnit XML, so Jenkins' test report shows and trends them. */
public final class JUnitReport {
  private JUnitReport() {}

  public static String render(RollbackReport r) {
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"lms-rollback\">\n");
    suite(x, "rollback.steps", r.steps().stream().map(s -> new Case(s.title(), s.took().toMillis(),
        !s.ok() ? "failed: " + s.detail() : s.overBudget() ? "over budget: took " + Formats.duration(s.took()) + " of " + Formats.duration(s.budget()) : null))
        .toList());
    suite(x, "rollback.checks", r.checks().stream().map(c -> new Case(c.name(), 0, c.passed() ? null : c.status() + ": " + c.detail())).toList());
    return x.append("</testsuites>\n").toString();
  }

  record Case(String name, long millis, String failure) {}

  private static void suite(StringBuilder x, String name, List<Case> cases) {
    long failures = cases.stream().filter(c -> c.failure() != null).count();
    x.append(String.format("  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">%n", name, cases.size(), failures));
    for (Case c : cases) {
      x.append(String.format("    <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"", name, escape(c.name()), c.millis() / 1000.0));
      if (c.failure() == null) {
        x.append("/>\n");
      } else {
        x.append(">\n      <failure message=\"").append(escape(c.failure())).append("\"/>\n    </testcase>\n");
      }
    }
    x.append("  </testsuite>\n");
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
