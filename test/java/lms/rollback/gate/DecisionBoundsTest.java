package lms.rollback.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 items 11 and 14 from their reproductions: the login that recorded a decision typed with --actor is journaled and
 * shown beside the asserted decider; a signature file too large or not text, and a reason too long for the gate's
 * notices, are refused (exit 2) before anything runs or is recorded.
 */
class DecisionBoundsTest {

  @TempDir Path out;

  Cli.Run record(String reason, String... more) {
    List<String> args = new ArrayList<>(List.of("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "rc.jones", "--groups",
        "lms-release-commanders", "--requested-by", "dev.smith", "--reason", reason, "--out-dir", out.toString(), "--actor", "rc.jones"));
    args.addAll(List.of(more));
    return Cli.lmsctl(args.toArray(String[]::new));
  }

  long decisions() {
    return new Journal(out, "reader").read().stream().filter(e -> e.is(Event.GATE_DECISION)).count();
  }

  @Test
  void aDecisionTypedWithAnotherActorShowsTheLoginThatRecordedIt() {
    // rc.jones's name typed with --actor rc.jones on this process's login (root in the reproduction)
    Cli.Run typed = record("confirmed on the error dashboard");

    assertEquals(0, typed.exit(), typed.out() + typed.err());
    String login = System.getProperty("user.name");
    assertTrue(typed.out().contains("asserted by rc.jones, recorded by login " + login), typed.out());
    var entry = new Journal(out, "reader").read().stream().filter(e -> e.is(Event.GATE_DECISION)).findFirst().orElseThrow();
    assertEquals(login, entry.data().path("login").asText(), entry.data().toString());
    assertEquals("rc.jones", entry.actor());
  }

  @Test
  void aReasonLongerThanTheGateTakesIsRefusedBeforeAnythingIsRecorded() {
    Cli.Run huge = record("x".repeat(120 * 1024));

    assertEquals(2, huge.exit(), huge.err());
    assertTrue(huge.err().contains("--reason: 122880 characters; allowed: 10 to " + DecisionRecorder.MAX_REASON_CHARS), huge.err());
    assertEquals(0, decisions());
  }

  @Test
  void aSignatureFileTooLargeOrNotTextIsRefusedBeforeSshKeygenRuns() throws Exception {
    Path large = out.resolve("large.sig");
    try (var f = new java.io.RandomAccessFile(large.toFile(), "rw")) {
      f.setLength(16L * 1024 * 1024);
    }
    long started = System.nanoTime();
    Cli.Run tooLarge = record("confirmed on the error dashboard", "--signature", large.toString());
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;

    assertEquals(2, tooLarge.exit(), tooLarge.err());
    assertTrue(tooLarge.err().contains("is 16777216 bytes, too large for a signature") && tooLarge.err().contains("at most 16 KiB"), tooLarge.err());
    assertTrue(seconds < 20, "refused at once, not after minutes of ssh-keygen: " + seconds + "s");

    Path binary = Files.write(out.resolve("binary.sig"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01, (byte) 0x80});
    Cli.Run notText = record("confirmed on the error dashboard", "--signature", binary.toString());
    assertEquals(2, notText.exit(), notText.err());
    assertTrue(notText.err().contains("is not text (binary or not UTF-8)"), notText.err());
    assertFalse(notText.err().contains("Input length"), notText.err());
    assertEquals(0, decisions());
  }
}
