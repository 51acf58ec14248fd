package lms.rollback.testing;

import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.gate.DecisionRecorder;

/** The two-person authorization of a database rollback for MAN-004, as the gate journals it. */
public final class DatabaseApprovals {
  private DatabaseApprovals() {}

  /** DBA and Release Commander, two people, neither the requester. */
  public static void record(Path outDir) {
    var recorder = new DecisionRecorder(Sandbox.PLAN, new Journal(outDir, "jenkins"));
    recorder.record(new DecisionRecorder.Decision("MAN-004", DecisionRecorder.Kind.approve, "dba.lee", List.of("lms-dbas"),
        "Green wrote corrupt balances", 0, "rita", true, false));
    recorder.record(new DecisionRecorder.Decision("MAN-004", DecisionRecorder.Kind.approve, "rc.jones", List.of("lms-release-commanders"),
        "Agreed, roll the schema back", 0, "rita", true, false));
  }
}
