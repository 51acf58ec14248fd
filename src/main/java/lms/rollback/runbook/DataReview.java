package lms.rollback.runbook;

import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.gate.GateRun;

/**
 * §1.2, 4–24 h: the data Green wrote is reviewed by a person before the rollback is confirmed. The engine cannot
 * review it; it waits for the review to be recorded in this run's journal (who: the entry's actor; what: its
 * {@value #FIELD} field), from a terminal or from the Jenkins prompt, and puts it in the report.
 */
final class DataReview {
  static final String FIELD = "reviewed";

  private final Journal journal;
  private final String outDir;

  DataReview(Journal journal, String outDir) {
    this.journal = journal;
    this.outDir = outDir;
  }

  /** What is still missing; null once the review is recorded in this run. */
  PersonNeeded missing(CapabilityDecision capability, List<String> reviewers) {
    if (recorded() != null) return null;
    PersonNeeded p = PersonNeeded.asking(Event.DATA_REVIEW_DONE, java.util.Map.of(), FIELD, "What was checked, in a sentence", reviewers);
    return p.saying("DATA REVIEW NEEDED (§1.2): Green served for " + CapabilityDecision.age(capability.greenAge())
        + " before the rollback; a person reviews the data it wrote", outDir);
  }

  /** The step's line once recorded. */
  String done() {
    Journal.Entry e = recorded();
    return "reviewed by " + e.actor() + ": " + e.data().path(FIELD).asText();
  }

  /** The review recorded for this run (since the last run ended), or null. */
  private Journal.Entry recorded() {
    Journal.Entry found = null;
    for (Journal.Entry e : RunLog.read(journal).current()) {
      if (e.is(Event.DATA_REVIEW_DONE) && !e.data().path(FIELD).asText("").isBlank()) found = e;
    }
    return found;
  }
}
