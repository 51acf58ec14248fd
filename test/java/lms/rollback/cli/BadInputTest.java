package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input is exit 2 and one sentence naming the option and what is allowed, never a Java exception. */
class BadInputTest {

  @TempDir Path out;

  private static void refused(Cli.Run run, String naming) {
    assertEquals(2, run.exit(), run.out() + run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains(naming), run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  @Test
  void optionsOutsideWhatIsAllowed() throws Exception {
    Path notKube = Files.writeString(out.resolve("not-a-kubeconfig.yaml"), "not: a kubeconfig\n");
    refused(Cli.lmsctl("status", "--api-attempts", "0", "--out-dir", out.toString()), "--api-attempts: 0");
    refused(Cli.lmsctl("status", "--out-dir", ""), "--out-dir: empty");
    refused(Cli.lmsctl("status", "--kubeconfig", notKube.toString(), "--out-dir", out.toString()), "--kubeconfig: " + notKube + " is not a kubeconfig");
    refused(Cli.lmsctl("gate", "record", "--trigger", "MAN-001", "--level", "7", "--decision", "approve", "--by", "rc.jones", "--requested-by",
        "dev.smith", "--reason", "confirmed on the dashboard", "--out-dir", out.toString()), "--level: 7 does not exist for MAN-001; allowed: 0-2");
  }

  @Test
  void aNoteOrAReasonTooLongToTravelIsRefusedAndNothingIsJournaled() throws Exception {
    // #38 item 14: a 120 KB text would make the notices and reports it travels in too large for a webhook
    String huge = "x".repeat(120 * 1024);
    Path journal = out.resolve("journal.jsonl");
    refused(Cli.lmsctl("followups", "done", "--action", "Create incident ticket", "--note", huge, "--out-dir", out.toString()),
        "--note: 122880 characters; allowed: at most 2000");
    refused(Cli.lmsctl("rollback", "--scenario", "B", "--trigger", "MAN-001", "--requested-by", "dev.smith", "--reason", huge, "--out-dir",
        out.toString()), "--reason: 122880 characters; allowed: at most 2000");
    assertFalse(Files.exists(journal), "nothing journaled");
    // at the bound it is not refused for its length (here: no rollback in the folder, a different refusal)
    Cli.Run atBound = Cli.lmsctl("followups", "done", "--action", "Create incident ticket", "--note", "x".repeat(2000), "--out-dir", out.toString());
    assertFalse(atBound.err().contains("characters; allowed: at most"), atBound.err());
  }

  @Test
  void anIdentityThatIsNotUtf8TextIsRefusedAndNothingIsJournaled() throws Exception {
    // Given the DBA's name with a byte that is no UTF-8 character, as a shell passes $'dba.lee\xff' (Java reads it as U+FFFD)
    Path launcher = lms.rollback.testing.LmsctlProcess.launcher(out);
    Path journalDir = out.resolve("run");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", launcher + " gate record --trigger MAN-004 --database --decision approve --by $'dba.lee\\xff'"
        + " --groups lms-dbas --requested-by dev.smith --reason 'data corruption confirmed' --out-dir " + journalDir).redirectErrorStream(true);
    Process p = pb.start();
    String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES));

    // Then it is refused naming the option, and no decision (no entry at all) was written
    assertEquals(2, p.exitValue(), said);
    assertTrue(said.contains("--by: 'dba.lee?' is not valid UTF-8 text"), said);
    assertFalse(Files.exists(journalDir.resolve("journal.jsonl")), "nothing journaled");
    refused(Cli.lmsctl("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "rc.jones\uFFFD", "--requested-by", "dev.smith",
        "--reason", "confirmed on the dashboard", "--out-dir", out.toString()), "--by: 'rc.jones?' is not valid UTF-8 text");
  }

  @Test
  void aHugePlanIsRefusedAtOnce() throws Exception {
    Path plan = out.resolve("huge.yaml");
    Files.writeString(plan, "document: \"" + "x".repeat(10 * 1024 * 1024) + "\"\n");
    long start = System.nanoTime();

    Cli.Run run = Cli.lmsctl("plan", "--plan", plan.toString(), "--out-dir", out.toString());

    refused(run, "a plan is a few KB");
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused fast");
  }

  @Test
  void everyHelpReadsCleanly() {
    PrintStream saved = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    List<String> bad = new ArrayList<>();
    try {
      System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
      for (List<String> verb : verbs(Lmsctl.commandLine(), new ArrayList<>())) {
        List<String> args = new ArrayList<>(verb);
        args.add("--help");
        Cli.Run run = Cli.lmsctl(args.toArray(String[]::new));
        if (run.exit() != 0 || run.out().contains("(null") || warnings.toString(StandardCharsets.UTF_8).contains("picocli WARN")) bad.add(String.join(" ", verb));
        warnings.reset();
      }
    } finally {
      System.setErr(saved);
    }
    assertTrue(bad.isEmpty(), "--help with a picocli warning or an unfilled value: " + bad);
  }

  private static List<List<String>> verbs(CommandLine cl, List<String> prefix) {
    List<List<String>> all = new ArrayList<>();
    cl.getSubcommands().forEach((name, sub) -> {
      if (name.equals("help")) return;
      List<String> path = new ArrayList<>(prefix);
      path.add(name);
      all.add(path);
      all.addAll(verbs(sub, path));
    });
    return all;
  }
}
