package lms.rollback.testing;

import lms.rollback.audit.Event;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.gate.DecisionRecorder;

/** The decision to roll back for MAN-004 and the two-person authorization of its database rollback, as the gate journals them. */
public final class DatabaseApprovals {
  private DatabaseApprovals() {}

  /** The Release Commander's decision, then the DBA and the Release Commander, two people, neither the requester. */
  public static void record(Path outDir) {
    record(outDir, "MAN-004", "rc.jones", "lms-release-commanders");
  }

  /** The trigger's primary authority ({@code by} in {@code group}) decides, then the DBA and the Release Commander authorize. */
  public static void record(Path outDir, String trigger, String by, String group) {
    var recorder = new DecisionRecorder(Sandbox.PLAN, new Journal(outDir, "jenkins"));
    recorder.record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.approve, by, List.of(group),
        "Green corrupts leave balances", 0, "rita", false, false));
    recorder.record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.approve, "dba.lee", List.of("lms-dbas"),
        "Green wrote corrupt balances", 0, "rita", true, false));
    recorder.record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.approve, "rc.jones", List.of("lms-release-commanders"),
        "Agreed, roll the schema back", 0, "rita", true, false));
    // §4.1 #4: the DBA has paused pending transactions, which a run that changes the database waits for
    new Journal(outDir, "dba.lee").append(Event.CHECKLIST_DONE, java.util.Map.of("step", "4", "groups", "lms-dbas", "note", "writes paused at the connection pool"));
  }
}
