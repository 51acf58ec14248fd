package lms.rollback.runbook;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.1 is a real step: the engine does what it can, the DBA confirms the pause where data changes, all in the report. */
class PreRollbackChecklistTest {

  @TempDir Path out;

  @Test
  void theAnnounceStepIsTheChecklistDoneByTheEngineWhereItCanBe() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      // a rollback whose war room answers, whose status page is not configured
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
      Cli.Run run = lms.rollback.testing.LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url()), "rollback", "--scenario", "B",
          "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only",
          "--lock-wait", "5s", "--actor", "ops.oncall");

      assertEquals(0, run.exit(), run.out() + run.err());
      List<Journal.Entry> items = new Journal(out, "t").read().stream().filter(e -> e.type().equals("checklist.item")).toList();
      assertEquals(4, items.size());
      assertEquals("done", items.get(0).data().path("state").asText(), "war room told: " + items.get(0).data());
      assertEquals("done", items.get(1).data().path("state").asText(), "Blue confirmed: " + items.get(1).data());
      assertEquals("open", items.get(2).data().path("state").asText(), "status page not configured, said so: " + items.get(2).data());
      assertTrue(items.get(2).data().path("detail").asText().contains("LMS_STATUS_PAGE_WEBHOOK is not set"));
      assertTrue(items.get(3).data().path("detail").asText().contains("changes no data, so the run did not wait for the DBA"));
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("### Pre-rollback checklist (§4.1)") && report.contains("| 4 | Pause any pending transactions | DBA | open |"), report);
      assertTrue(Files.readString(out.resolve("rollback-report.html")).contains("<h2>Pre-rollback checklist (§4.1)</h2>"));
    }
  }

  @Test
  void aScenarioThatChangesTheDatabaseWaitsForTheDbasConfirmation() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Journal journal = sandbox.journal;
      journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", Sandbox.ENV, "trigger", "MAN-004"));
      java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
      PreRollbackChecklist checklist = new PreRollbackChecklist(Sandbox.PLAN, sandbox.engine(), sandbox.env, out.toString(), true, false, () -> {
        told.incrementAndGet();
        journal.append(Event.NOTIFY_SKIPPED, Map.of("message", PreRollbackChecklist.PAUSE_MESSAGE, "channel", "war-room", "status", "skipped"));
      });

      PersonNeeded wanted = checklist.missing();

      // the run waits for the plan's DBA role, within the pause's own budget (10m), and the DBA was told — once
      assertNotNull(wanted, "nothing recorded yet: the run waits");
      assertEquals("checklist.done", wanted.record());
      assertEquals(Map.of("step", "4", "groups", "lms-dbas"), wanted.fields());
      assertEquals(List.of("lms-dbas"), wanted.submitters());
      assertEquals(600, wanted.budgetSeconds());
      assertTrue(wanted.message().contains("lmsctl audit record --type checklist.done --field step=4 --field groups=lms-dbas --field note="), wanted.message());
      assertNotNull(checklist.missing());
      assertEquals(1, told.get(), "the DBA is told once, however often the run asks");

      // someone outside the DBA role does not count; a DBA does
      new Journal(out, "intern.joe").append(Event.CHECKLIST_DONE, Map.of("step", "4", "note", "looked fine to me"));
      assertNotNull(checklist.missing(), "intern.joe is not of the DBA role: still waiting");
      new Journal(out, "dba.lee").append(Event.CHECKLIST_DONE, Map.of("step", "4", "groups", "lms-dbas", "note", "writes paused at the connection pool"));
      assertNull(checklist.missing());
      assertTrue(checklist.run().contains("#4 done (confirmed by dba.lee: writes paused at the connection pool)"));
    }
  }

  @Test
  void aRehearsalOfAScenarioThatChangesDataDoesNotWaitAndSaysWhy() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      sandbox.journal.append(Event.SCENARIO_START, Map.of("scenario", "C", "environment", Sandbox.ENV, "trigger", "MAN-004", "rehearsal", true));
      PreRollbackChecklist checklist = new PreRollbackChecklist(Sandbox.PLAN, sandbox.engine(), sandbox.env, out.toString(), true, true, () -> { });

      assertNull(checklist.missing(), "a rehearsal does not wait for the DBA");
      String said = checklist.run();
      assertTrue(said.contains("#4 open (not confirmed; a rehearsal, where no real transaction is pending"), said);
      assertFalse(said.contains("changes no data"), said);
    }
  }
}
