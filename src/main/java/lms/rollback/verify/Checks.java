package lms.rollback.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.report.JUnitXml;

/** Journals check results as they are decided and writes them as JUnit XML, one test case per check. */
public final class Checks {
  private Checks() {}

  public static CheckResult journal(Journal journal, String suite, CheckResult r) {
    var data = new java.util.LinkedHashMap<String, Object>(r.asData());
    data.put("suite", suite);
    journal.append(Event.CHECK_RESULT, data);
    return r;
  }

  public static Path writeJUnit(Path file, String suite, List<CheckResult> results) {
    String xml = JUnitXml.document(List.of(new JUnitXml.Suite(suite, results.stream().map(r -> new JUnitXml.Case(r.name(), r.millis(),
        r.passed() ? null : r.status() + ": " + (r.detail() == null || r.detail().isEmpty() ? "measured " + r.measured() + ", needs " + r.threshold()
            : r.detail()))).toList())));
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      Files.writeString(file, xml);
      return file;
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
