package lms.rollback.cli;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Journal;
import lms.rollback.core.PrintedCommand;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.ServedSandbox;
import lms.rollback.testing.Tool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command lmsctl prints for a person, run exactly as printed, in a clean shell, as the sandbox's scenarios print them. */
class PrintedCommandsTest {

  @TempDir Path dir;

  /** Runs {@code line} with bash, from an unrelated directory, with only PATH, HOME and USER set (a person's shell). */
  Cli.Run paste(String line, String user, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(Files.createTempDirectory(dir, "elsewhere").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("USER", user);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("did not end: " + line);
    }
    return new Cli.Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static List<String> commandsIn(String text, Path launcher) {
    return text.lines().map(String::strip).filter(l -> l.contains(launcher.toString() + " ")).toList();
  }

  @Test
  void everyTryLineOfTheServedSandboxWorksAsPrinted() throws Exception {
    Path launcher = LmsctlProcess.launcher(dir);
    try (ServedSandbox serve = serve(launcher)) {
      String printed = serve.printed();
      List<String> lines = commandsIn(printed, launcher);
      assertEquals(5, lines.size(), printed);
      // Given the served sandbox, when each line is pasted in its order: look, watch (Green errs: AUTO-001 rolls back), verify, smoke,
      // and the rollback again, which finds nothing to do
      int[] expected = {0, 10, 0, 0, 0};
      for (int i = 0; i < lines.size(); i++) {
        Cli.Run run = paste(lines.get(i), "ops.oncall", "");
        assertEquals(expected[i], run.exit(), lines.get(i) + "\n" + run.out() + run.err());
        assertFalse(run.err().contains("attempt 1/"), "no retry noise: " + run.err());
        if (i == 4) assertTrue(run.out().contains("NOTHING TO DO: traffic is on Blue"), run.out());
      }
      if (Tool.KUBECTL.present()) {
        String export = printed.lines().map(String::strip).filter(l -> l.startsWith("try:  export ")).findFirst().orElseThrow().substring(5);
        String kubectl = printed.lines().map(String::strip).filter(l -> l.startsWith("kubectl ")).findFirst().orElseThrow();
        Cli.Run run = paste(export + " && PATH=" + Path.of(Tool.KUBECTL.require()).getParent() + ":$PATH " + kubectl, "ops.oncall", "");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("lms-vs"), run.out());
      }

    }
  }

  @Test
  void theGatesHintPastedByTheDeciderDecidesAndTheSameCommandGoesOn() throws Exception {
    Path launcher = LmsctlProcess.launcher(dir);
    try (ServedSandbox serve = serve(launcher)) {
      List<String> lines = commandsIn(serve.printed(), launcher);
      // Given a manual trigger: the run stops at its gate and prints how to decide: pasted by a Release Commander, it decides
      String kubeconfig = lines.get(0).replaceAll(".* --kubeconfig (\\S+) .*", "$1");
      String plan = lines.get(0).replaceAll(".* --plan (\\S+) .*", "$1");
      Path runDir = dir.resolve("manual");
      Map<String, String> env = new HashMap<>(Map.of("LMSCTL_COMMAND", launcher.toString(), "LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p",
          "LMS_SMOKE_TOKEN", lms.rollback.sandbox.LmsStandIn.TOKEN));
      List<String> rollback = List.of("rollback", "--scenario", "B", "--trigger", "MAN-001", "--kubeconfig", kubeconfig, "--plan", plan,
          "--requested-by", "dev.smith", "--reason", "error rate 3% for 20 minutes", "--window", "6s", "--out-dir", runDir.toString());
      Cli.Run gated = LmsctlProcess.start(env, rollback).await();
      assertEquals(5, gated.exit(), gated.out() + gated.err());
      List<String> decide = commandsIn(gated.out(), launcher);
      assertEquals(1, decide.size(), gated.out());
      Cli.Run decided = paste(decide.get(0), "rc.jones", "");
      assertEquals(0, decided.exit(), decide.get(0) + "\n" + decided.out() + decided.err());
      Cli.Run resumed = LmsctlProcess.start(env, rollback).await();
      assertEquals(0, resumed.exit(), resumed.out() + resumed.err());
      var decision = new Journal(runDir, "reader").read().stream().filter(e -> e.is(Event.GATE_DECISION))
          .findFirst().orElseThrow();
      assertEquals("rc.jones", decision.data().path("by").asText(), "approved by the one who pasted it: " + decision.data());
      assertTrue(resumed.out().contains("Execute traffic switch"), resumed.out());

      // and a second build after it, in the same journal: nothing to do, nobody asked, the run that did it named
      Cli.Run again = LmsctlProcess.start(env, rollback).await();
      assertEquals(0, again.exit(), again.out() + again.err());
      assertTrue(again.out().contains("NOTHING TO DO: traffic is on Blue") && again.out().contains("and Green is scaled to 0 with no pod left; the run started at entry"),
          again.out());
      List<String> after = new Journal(runDir, "reader").read().stream().map(Journal.Entry::type).toList();
      List<String> tail = after.subList(after.lastIndexOf("verb.start"), after.size());
      assertTrue(tail.contains("scenario.already-done"), tail.toString());
      assertFalse(tail.stream().anyMatch(t -> t.startsWith("gate.") || t.startsWith("notify.") || t.equals("scenario.start")), tail.toString());
    }
  }

  @Test
  void aQuestionForAPersonIsAskedByTheirShellAndTheAnswerIsJournaled() throws Exception {
    Path launcher = LmsctlProcess.launcher(dir);
    Path out = dir.resolve("asked");
    String line = lms.rollback.runbook.PersonNeeded.asking(Event.CHECKLIST_DONE, Map.of("step", "4"), "note", "How were pending transactions paused?",
        List.of("lms-dbas")).command(out.toString());
    assertTrue(line.startsWith("read -r -p 'How were pending transactions paused? ' LMS_ANSWER && lmsctl audit record "), line);
    String printed = line.replace("&& lmsctl ", "&& " + launcher + " ");
    Cli.Run run = paste(printed, "dba.lee", "paused the leave-approval queue at 02:14\n");
    assertEquals(0, run.exit(), printed + "\n" + run.out() + run.err());
    var record = new Journal(out, "reader").read().stream().filter(e -> e.type().equals("checklist.done")).findFirst().orElseThrow();
    assertEquals("paused the leave-approval queue at 02:14", record.data().path("note").asText(), record.data().toString());
    assertEquals("4", record.data().path("step").asText());
    assertEquals("dba.lee", record.actor());
  }

  @Test
  void aPrintedCommandNamingAnOptionItsVerbLacksIsNeverPrinted() {
    Lmsctl.commandLine("gate"); // installs the check, as every lmsctl run does
    var e = assertThrows(IllegalStateException.class, () -> PrintedCommand.of("gate record").option("--trigger", "MAN-001").option("--approver", "x")
        .toString());
    assertTrue(e.getMessage().contains("--approver"), e.getMessage());
    String ok = PrintedCommand.of("gate record").option("--trigger", "MAN-001").option("--decision", "approve").optionTheUser("--by")
        .option("--reason", "it's confirmed").toString();
    assertTrue(ok.endsWith("gate record --trigger MAN-001 --decision approve --by \"$USER\" --reason 'it'\\''s confirmed'"), ok);
  }

  /** `lmsctl sandbox --serve`, printing commands that name {@code launcher}. */
  ServedSandbox serve(Path launcher) throws Exception {
    return ServedSandbox.start(dir.resolve("sandbox"), Map.of("LMSCTL_COMMAND", launcher.toString()));
  }
}
