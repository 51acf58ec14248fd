package lms.rollback.testing;

import lms.rollback.audit.Event;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.gate.DecisionRecorder;

/** Decisions as the gate journals them, recorded before a test's run asks for them. */
public final class Approvals {
  private Approvals() {}

  /**
   * The Release Commander (rc.jones) approves a rollback for {@code trigger}: what an automatic trigger the run cannot
   * measure (--cluster-only) needs, as a manual request (§2.2), before it changes anything.
   */
  public static void byReleaseCommander(Path outDir, String trigger) {
    var journal = new Journal(outDir, "rc.jones");
    boolean approved = lms.rollback.audit.RunLog.read(journal).current().stream().anyMatch(e -> e.is(Event.GATE_DECISION)
        && trigger.equals(e.data().path("trigger").asText()) && "approve".equals(e.data().path("decision").asText()));
    if (approved) return; // the run in progress has it: a later call of the same run needs no second one
    new DecisionRecorder(Sandbox.PLAN, new Journal(outDir, "rc.jones")).record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.approve,
        "rc.jones", List.of("lms-release-commanders"), "confirmed on the dashboard: roll back", 0, "dev.smith", false, false));
  }
}
