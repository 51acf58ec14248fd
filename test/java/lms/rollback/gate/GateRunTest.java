package lms.rollback.gate;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate's state as the journal gives it. */
class GateRunTest {

  @TempDir Path out;

  @Test
  void aRehearsalNeedsNobodyAManualTriggerNeedsItsAuthority() {
    GateRun gate = new GateRun(Sandbox.PLAN, new Journal(out, "timer"), Clock.systemUTC());

    GateRun.State rehearsal = gate.state("MAN-004", "C", true, "timer");
    GateRun.State real = gate.state("MAN-004", "C", false, "dev.smith");

    assertEquals(GateRun.Status.NOT_REQUIRED, rehearsal.status());
    assertEquals("a rehearsal (§9.1) needs no approval", rehearsal.describe());
    assertEquals(GateRun.Status.OPEN, real.status());
    assertEquals(Prompt.level("MAN-004", 0), real.prompt());
    assertNull(real.opened(), "nothing is opened by reading the state");
  }

  @Test
  void aMeasuredAutomaticTriggerDecidesTheRollbackButItsDatabaseStepStillNeedsTheTwoPeople() {
    Journal journal = new Journal(out, "lmsctl watch");
    journal.append(Event.TRIGGER_FIRED, java.util.Map.of("trigger", "AUTO-003", "state", "holds", "at", "2026-12-04T02:10:00Z",
        "detail", "held at all 4 samples (lowest 100.000)", "dryRun", false));
    GateRun gate = new GateRun(Sandbox.PLAN, journal, Clock.systemUTC());

    // scenario B changes no data: nobody is asked; scenario C rolls the schema back: the DBA and the Release Commander are
    assertEquals(GateRun.Status.NOT_REQUIRED, gate.state("AUTO-003", "B", false, "lmsctl watch").status());
    GateRun.State c = gate.state("AUTO-003", "C", false, "lmsctl watch");
    assertEquals(GateRun.Status.OPEN, c.status());
    assertEquals(Prompt.database("AUTO-003"), c.prompt(), "no level prompt: the measurement decided the rollback");

    DecisionRecorder recorder = new DecisionRecorder(Sandbox.PLAN, journal);
    recorder.record(new DecisionRecorder.Decision("AUTO-003", DecisionRecorder.Kind.approve, "dba.lee", List.of("lms-dbas"),
        "connections fail since the migration", 0, "lmsctl watch", true, false));
    recorder.record(new DecisionRecorder.Decision("AUTO-003", DecisionRecorder.Kind.approve, "rc.jones", List.of("lms-release-commanders"),
        "agreed, roll the schema back", 0, "lmsctl watch", true, false));

    assertEquals(GateRun.Status.APPROVED, gate.state("AUTO-003", "C", false, "lmsctl watch").status());
  }

  @Test
  void theDatabasePromptFollowsTheLevelsApprovalAndTheRequesterNeverCounts() {
    Journal journal = new Journal(out, "jenkins");
    GateRun gate = new GateRun(Sandbox.PLAN, journal, Clock.systemUTC());
    DecisionRecorder recorder = new DecisionRecorder(Sandbox.PLAN, journal);
    recorder.record(new DecisionRecorder.Decision("MAN-004", DecisionRecorder.Kind.approve, "rc.jones", List.of("lms-release-commanders"),
        "corrupt balances confirmed", 0, "someone.else", false, false));

    assertEquals(Prompt.database("MAN-004"), gate.state("MAN-004", "C", false, "dev.smith").prompt());
    // the same approval, for a run that rc.jones requested, does not count
    assertEquals(Prompt.level("MAN-004", 0), gate.state("MAN-004", "C", false, "RC.Jones").prompt());
  }
}
