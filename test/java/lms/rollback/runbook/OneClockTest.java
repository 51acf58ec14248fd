package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunClock;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 item 10: a clock one hour fast on one call made `gate status` show 3899 s left on a 5-minute window (escalation an hour
 * late) and the report say "completed in -3594.0s". Windows and durations are the run's own measure of time: a wall clock
 * off on one call is journaled as off and changes neither.
 */
class OneClockTest {

  @TempDir Path out;

  private List<String> rollback(Path kubeconfig, String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "MAN-001", "--kubeconfig",
        kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith",
        "--reason", "error rate 3% since the 02:00 release"));
    args.addAll(List.of(more));
    return args;
  }

  private static Map<String, String> clockOff(String offset) {
    return Map.of(RunClock.TEST_OFFSET_VARIABLE, offset);
  }

  private long secondsLeft(String offset) throws Exception {
    Cli.Run status = LmsctlProcess.run(clockOff(offset), "gate", "status", "--trigger", "MAN-001", "--scenario", "B", "--requested-by", "dev.smith",
        "--out-dir", out.toString(), "-o", "json");
    assertEquals(5, status.exit(), status.out() + status.err());
    JsonNode state = new ObjectMapper().readTree(status.out());
    assertEquals("open", state.path("status").asText().toLowerCase(java.util.Locale.ROOT), state.toString());
    return state.path("prompt").path("leftSeconds").asLong();
  }

  @Test
  void aClockAnHourOffOnOneCallNeitherMovesTheDecisionWindowNorMakesTheRunTakeANegativeTime() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // Given the gate of a 5-minute window opened by a call whose clock is one hour fast
      Cli.Run opened = LmsctlProcess.run(clockOff("PT1H"), rollback(kubeconfig, "--through", "decision").toArray(String[]::new));
      assertEquals(5, opened.exit(), opened.out() + opened.err());

      // When the gate is asked about with a right clock, one an hour fast, and one two hours fast
      // Then each sees at most the 5 minutes (less the time these calls took), never an hour more, never nothing left
      for (String offset : List.of("PT0S", "-PT1H", "PT2H")) {
        long left = secondsLeft(offset);
        assertTrue(left > 60 && left <= 300, "clock off by " + offset + ": " + left + " s left of a 5-minute window");
      }

      // And once decided and run to its end with a right clock, the run took a positive time below its target
      Cli.Run approved = Cli.lmsctl("gate", "record", "--trigger", "MAN-001", "--level", "0", "--decision", "approve", "--by", "rc.jones",
          "--groups", "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "confirmed on the error dashboard",
          "--out-dir", out.toString());
      assertEquals(0, approved.exit(), approved.out() + approved.err());
      Cli.Run done = LmsctlProcess.run(Map.of(), rollback(kubeconfig).toArray(String[]::new));
      assertEquals(0, done.exit(), done.out() + done.err());
      String report = Files.readString(out.resolve("rollback-report.md"));
      // (it read "completed in -3594.0s (within the 8m target)")
      Matcher took = Pattern.compile("completed in (\\S+) \\((within|OVER) the 8m target\\)").matcher(report);
      assertTrue(took.find(), report);
      assertTrue(!took.group(1).startsWith("-") && took.group(2).equals("within"), took.group());
      // and the call whose clock was off is journaled as such, its entries in the run's time
      List<Journal.Entry> journal = new Journal(out, "t").read();
      for (int i = 1; i < journal.size(); i++) {
        assertTrue(!journal.get(i).ts().isBefore(journal.get(i - 1).ts()), "the journal's time never runs backwards: entry " + journal.get(i).seq());
      }
      long flagged = Files.readAllLines(out.resolve(Journal.FILE_NAME)).stream().filter(l -> l.contains("\"wallClock\"")).count();
      assertTrue(flagged > 0, "a wall clock off from the run's time is journaled");
    }
  }
}
