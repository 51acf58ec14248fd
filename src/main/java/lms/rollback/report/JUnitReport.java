package lms.rollback.report;

import java.util.List;

/** The report's steps and checks as JUnit XML, so Jenkins' test report shows and trends them. */
public final class JUnitReport {
  private JUnitReport() {}

  public static String render(RollbackReport r) {
    return JUnitXml.document(List.of(
        new JUnitXml.Suite("rollback.steps", r.steps().stream().map(s -> new JUnitXml.Case(s.title(), s.took().toMillis(),
            !s.ok() ? "failed: " + s.detail() : s.overBudget() ? "over budget: took " + Formats.duration(s.took()) + " of " + Formats.duration(s.budget())
                : null)).toList()),
        new JUnitXml.Suite("rollback.checks", r.checks().stream().map(c -> new JUnitXml.Case(c.name(), 0, c.passed() ? null : c.status() + ": "
            + c.detail())).toList())));
  }
}
