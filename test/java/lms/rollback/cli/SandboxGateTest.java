package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The issue's "done when": a gated rollback in the sandbox reaches, reminds and escalates, and the report keeps human time apart. */
class SandboxGateTest {

  @TempDir Path out;

  @Test
  void aGatedRollbackNotifiesRemindsEscalatesAndIsApprovedThroughTheLink() throws Exception {
    // given the sandbox, whose Release Commander does not answer, with a minute lasting 2s (MAN-001's 5m window: 10s)
    // when a rollback for MAN-001 is requested
    Cli.Run run = Cli.lmsctl("sandbox", "--gate", "MAN-001", "--minute", "2s", "--out-dir", out.toString());

    // then the Release Commander is told, reminded twice, the gate escalates with notice, and the DevOps Lead approves via the link
    assertEquals(0, run.exit(), run.err());
    List<String> warRoom = run.out().lines().filter(l -> l.contains("war room <- ") || l.contains("No answer from")).toList();
    assertEquals(List.of("  war room <- 🟠 ROLLBACK DECISION NEEDED — Release Commander",
        "  war room <- ⏰ REMINDER — rollback decision still open, 5s left",
        "  war room <- ⏰ REMINDER — rollback decision still open, 2s left",
        "  war room <- 🔴 ROLLBACK DECISION ESCALATED TO DevOps Lead",
        "                No answer from Release Commander (10s): the decision is now yours.",
        // then the run itself, announced only once it was decided, on the same war room
        "  war room <- 🔴 ROLLBACK INITIATED", "  war room <- 🟠 TRAFFIC SWITCHED", "  war room <- 🟡 ROLLBACK VERIFICATION",
        "  war room <- ✅ ROLLBACK COMPLETE"), warRoom, run.out());
    assertTrue(run.out().matches("(?s).*sandbox\\.devops-lead opened http://127\\.0\\.0\\.1:\\d+/job/lms-rollback/1/input/ \\(HTTP 200\\) and approved \\(HTTP 200\\).*"),
        run.out());
    assertTrue(run.out().contains("[ ok ] Confirm success"), run.out());
    // and the report separates the people's share from the machine's
    String report = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(report.contains("### Human decisions (kept apart from machine time)"), report);
    assertTrue(report.matches("(?s).*\\| MAN-001 level 0 — Release Commander: timeout \\| 10\\.\\ds \\|.*"), report);
    assertTrue(report.contains("MAN-001 level 1 — DevOps Lead: approve by sandbox.devops-lead"), report);
    assertTrue(report.contains("| escalated | MAN-001 level 1 | DevOps Lead | DevOps Lead | war-room sent"), report);
    // asserted (the sandbox plays the person), beside the login of the process that recorded it (#38 item 11)
    assertTrue(report.contains("Decision maker: approve by sandbox.devops-lead (DevOps Lead, level 1), asserted by sandbox.devops-lead, recorded by login "
        + System.getProperty("user.name")), report);
    assertTrue(report.contains("Escalations: Release Commander did not answer (level 0)"), report);
    // and its timeline gives the report of the issue and the escalation their journal times
    assertTrue(report.matches("(?s).*\\| \\d\\d:\\d\\d:\\d\\d \\| Issue reported with the rollback request \\(MAN-001; .*"), report);
    assertTrue(report.matches("(?s).*\\| \\d\\d:\\d\\d:\\d\\d \\| Escalated: Release Commander did not answer \\(level 0\\) \\|.*"), report);
  }

  @Test
  void anAutomaticTriggerHasNoGateToPlay() {
    Cli.Run run = Cli.lmsctl("sandbox", "--gate", "AUTO-001", "--out-dir", out.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--gate: AUTO-001 is automatic and has no gate; allowed: a MAN- or BUS- trigger"), run.err());
  }
}
