package lms.rollback.gate;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.plan.PlanException;
import lms.rollback.plan.PlanLoader;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * §10 on a terminal, with OpenSSH's real ssh-keygen: a decision signed by the decider's key over the run's id is
 * accepted and shown as signed; a key the allowed signers do not list, a signature over another run (a replay) or over
 * another reason is refused; a plan that requires signatures refuses an unsigned terminal approval, saying how to sign.
 */
class SignedDecisionTest {

  static final String REASON = "nobody can log in since 02:10, confirmed";

  @TempDir Path out;
  Path rcKey;
  Path malloryKey;
  Path plan;

  @BeforeEach
  void keysAndPlan() throws Exception {
    lms.rollback.testing.Tool.SSH_KEYGEN.require();
    rcKey = keygen("rc");
    malloryKey = keygen("mallory");
    Path signers = out.resolve("allowed_signers");
    Files.writeString(signers, "rc.jones namespaces=\"lms-rollback-decision\" " + Files.readString(Path.of(rcKey + ".pub")).strip() + "\n");
    plan = Files.writeString(out.resolve("plan.yaml"), planYaml(signers.toString(), "[production]"));
  }

  static String planYaml(String allowedSigners, String requiredOn) throws Exception {
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String changed = yaml.replace("    allowedSigners: null\n", "    allowedSigners: " + allowedSigners + "\n")
          .replace("    requiredOn: []\n", "    requiredOn: " + requiredOn + "\n");
      assertFalse(changed.equals(yaml), "the built-in plan no longer has gate.signatures");
      return changed;
    }
  }

  Path keygen(String name) throws Exception {
    Path key = out.resolve(name);
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()).redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    return key;
  }

  static String fingerprint(Path key) throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-l", "-f", key + ".pub").start();
    String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return line.split(" ")[1];
  }

  /** The decider signs on their own machine what lmsctl gate statement printed. */
  Path signElsewhere(Path key, String statement, String name) throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-Y", "sign", "-f", key.toString(), "-n", "lms-rollback-decision").start();
    try (var in = p.getOutputStream()) {
      in.write(statement.getBytes(StandardCharsets.UTF_8));
    }
    String sig = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    return Files.writeString(out.resolve(name), sig);
  }

  Cli.Run rollback(Sandbox sandbox, Path dir) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(dir.resolve("kubeconfig.yaml"));
    return Cli.lmsctl("rollback", "--scenario", "A", "--env", Sandbox.ENV, "--trigger", "MAN-003", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", dir.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith", "--reason", "login broken for everyone since 02:10",
        "--plan", plan.toString());
  }

  Cli.Run record(Path dir, String... signing) {
    List<String> args = new ArrayList<>(List.of("gate", "record", "--trigger", "MAN-003", "--decision", "approve", "--by", "rc.jones", "--groups",
        "lms-release-commanders", "--requested-by", "dev.smith", "--reason", REASON, "--out-dir", dir.toString(), "--plan", plan.toString(),
        "--actor", "root"));
    args.addAll(List.of(signing));
    return Cli.lmsctl(args.toArray(String[]::new));
  }

  String statement(Path dir, String reason) {
    Cli.Run s = Cli.lmsctl("gate", "statement", "--trigger", "MAN-003", "--decision", "approve", "--by", "rc.jones", "--reason", reason,
        "--out-dir", dir.toString(), "--plan", plan.toString());
    assertEquals(0, s.exit(), s.err());
    return s.out();
  }

  static long approvals(Path dir) {
    return new Journal(dir, "reader").read().stream().filter(e -> e.is(Event.GATE_DECISION)
        && "approve".equals(e.data().path("decision").asText())).count();
  }

  @Test
  void aSignedApprovalIsAcceptedAndTheReportSaysWhichKeySignedIt() throws Exception {
    Path dir = Files.createDirectories(out.resolve("run"));
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("sandbox")))) {
      assertEquals(5, rollback(sandbox, dir).exit());

      // root's login typing rc.jones's name is not rc.jones: refused, saying how to sign
      Cli.Run unsigned = record(dir);
      assertEquals(5, unsigned.exit(), unsigned.out() + unsigned.err());
      assertTrue(unsigned.err().contains("decisions on production must be signed") && unsigned.err().contains("--sign-with ~/.ssh/id_ed25519"),
          unsigned.err());
      // a key the allowed signers do not list for rc.jones
      Cli.Run mallory = record(dir, "--sign-with", malloryKey.toString());
      assertEquals(5, mallory.exit(), mallory.out() + mallory.err());
      assertTrue(mallory.err().contains("the signature is not rc.jones's over this decision of run"), mallory.err());
      // a signature over another reason than the one recorded
      Path otherReason = signElsewhere(rcKey, statement(dir, "something else entirely, approved"), "other-reason.sig");
      Cli.Run edited = record(dir, "--signature", otherReason.toString());
      assertEquals(5, edited.exit(), edited.err());
      assertEquals(0, approvals(dir), "nothing refused was recorded as an approval");

      Path signed = signElsewhere(rcKey, statement(dir, REASON), "decision.sig");
      Cli.Run good = record(dir, "--signature", signed.toString());
      assertEquals(0, good.exit(), good.out() + good.err());
      Cli.Run run = rollback(sandbox, dir);
      assertEquals(0, run.exit(), run.out() + run.err());

      var decision = new Journal(dir, "reader").read().stream().filter(e -> e.is(Event.GATE_DECISION)
          && "approve".equals(e.data().path("decision").asText())).findFirst().orElseThrow();
      assertEquals("ED25519 " + fingerprint(rcKey), decision.data().path("signature").path("key").asText(), decision.data().toString());
      assertTrue(decision.data().path("signature").path("armored").asText().contains("BEGIN SSH SIGNATURE"));
      String report = Files.readString(dir.resolve("rollback-report.md"));
      assertTrue(report.contains("Decision maker: approve by rc.jones (Release Commander, level 0), signed by key ED25519 " + fingerprint(rcKey)), report);
    }
  }

  @Test
  void anAllowedSignersFileThatLetsOneKeySignAsAnyoneOrThatOthersMayWriteIsRefused() throws Exception {
    Path dir = Files.createDirectories(out.resolve("run"));
    Path signers = out.resolve("allowed_signers");
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("sandbox")))) {
      assertEquals(5, rollback(sandbox, dir).exit());
      // Given mallory's key listed for every principal ('*')
      Files.writeString(signers, "* namespaces=\"lms-rollback-decision\" " + Files.readString(Path.of(malloryKey + ".pub")).strip() + "\n");
      Cli.Run anyone = record(dir, "--sign-with", malloryKey.toString());
      assertEquals(5, anyone.exit(), anyone.out() + anyone.err());
      assertTrue(anyone.err().contains("line 1") && anyone.err().contains("names principals by the pattern '*'"), anyone.err());
      // and rc.jones's own line in a file anyone may write
      Files.writeString(signers, "rc.jones namespaces=\"lms-rollback-decision\" " + Files.readString(Path.of(rcKey + ".pub")).strip() + "\n");
      Files.setPosixFilePermissions(signers, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
      Cli.Run writable = record(dir, "--sign-with", rcKey.toString());
      assertEquals(5, writable.exit(), writable.out() + writable.err());
      assertTrue(writable.err().contains("may be written by others (rw-rw-rw-)"), writable.err());
      assertEquals(0, approvals(dir), "nothing was recorded");
      // owner-only again: rc.jones's signed approval counts
      Files.setPosixFilePermissions(signers, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      assertEquals(0, record(dir, "--sign-with", rcKey.toString()).exit());
      assertEquals(1, approvals(dir));
    }
  }

  @Test
  void aSignatureOfOneRunReplayedIntoAnotherIsRefusedAndSigningHereWorks() throws Exception {
    Path first = Files.createDirectories(out.resolve("first"));
    Path second = Files.createDirectories(out.resolve("second"));
    try (Sandbox one = Sandbox.start(Files.createDirectories(out.resolve("s1"))); Sandbox two = Sandbox.start(Files.createDirectories(out.resolve("s2")))) {
      assertEquals(5, rollback(one, first).exit());
      assertEquals(5, rollback(two, second).exit());
      Path signedForFirst = signElsewhere(rcKey, statement(first, REASON), "first.sig");
      assertEquals(0, record(first, "--signature", signedForFirst.toString()).exit());

      // the same signature, same trigger, decider and reason, brought to the second run
      Cli.Run replayed = record(second, "--signature", signedForFirst.toString());

      assertEquals(5, replayed.exit(), replayed.out() + replayed.err());
      assertTrue(replayed.err().contains("over another run"), replayed.err());
      assertEquals(0, approvals(second));
      // rc.jones signing for the second run here, with the key in hand
      Cli.Run here = record(second, "--sign-with", rcKey.toString());
      assertEquals(0, here.exit(), here.out() + here.err());
      assertEquals(1, approvals(second));
    }
  }

  @Test
  void aDecisionSignedBeforeItsRunStartedIsRefusedForItNamesNoRun() {
    Cli.Run early = record(out.resolve("none"), "--sign-with", rcKey.toString());
    assertEquals(2, early.exit(), early.err());
    assertTrue(early.err().contains("run the rollback first"), early.err());
  }

  /** A run folder continued by the next build of the job, as Jenkins gives each build its own. */
  Cli.Run continueRun(Sandbox sandbox, Path builds, int number) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig-" + number + ".yaml"));
    return Cli.lmsctl("rollback", "--scenario", "A", "--env", Sandbox.ENV, "--trigger", "MAN-003", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", builds.resolve("build-" + number).toString(), "--continue-from", builds.toString(), "--cluster-only", "--lock-wait", "5s",
        "--actor", "dev.smith", "--reason", "login broken for everyone since 02:10", "--plan", plan.toString());
  }

  /** What anyone who can write the build's workspace can do: an approval appended, the hash chain recomputed. */
  static void forgeApproval(Path dir, String by, List<String> groups, String reason) {
    java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("trigger", "MAN-003");
    data.put("decision", "approve");
    data.put("by", by);
    data.put("role", "Release Commander");
    data.put("level", 0);
    data.put("reason", reason);
    data.put("requestedBy", "dev.smith");
    data.put("groups", groups);
    data.put("override", false);
    new Journal(dir, by).append(Event.GATE_DECISION, data);
    assertTrue(lms.rollback.audit.ChainVerifier.verify(dir.resolve(Journal.FILE_NAME), null).intact(), "the forged journal's chain is intact");
  }

  @Test
  void aHandWrittenApprovalInAContinuedRunsJournalDoesNotCountWhereSignaturesAreRequired() throws Exception {
    Path builds = Files.createDirectories(out.resolve("J"));
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("sandbox")))) {
      // Given a run stopped at its gate in J/build-7, on production where the plan requires signatures
      assertEquals(5, continueRun(sandbox, builds, 7).exit());
      // and an approval by rc.jones appended to its journal with the chain recomputed
      forgeApproval(builds.resolve("build-7"), "rc.jones", List.of("lms-release-commanders"), REASON);

      // When the next build continues the run
      Cli.Run continued = continueRun(sandbox, builds, 8);

      // Then it refuses, saying why in one line naming the decision, and changes nothing
      assertEquals(5, continued.exit(), continued.out() + continued.err());
      String why = continued.err().strip().lines().filter(l -> l.contains("does not count")).findFirst().orElse(continued.err());
      assertTrue(why.contains("the approval of MAN-003 (level 0) by rc.jones") && why.contains("it is not signed, and decisions on production must be"),
          why);
      assertFalse(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "traffic not switched");
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green not scaled down");
      assertFalse(Journal.reading(builds.resolve("build-8").resolve(Journal.FILE_NAME)).read().stream()
          .anyMatch(e -> e.type().equals(Event.STEP_START.key())), "no step ran");
    }
  }

  @Test
  void aSignedApprovalEditedAfterItWasRecordedNoLongerCountsAndAnIntactOneCountsInTheContinuedRun() throws Exception {
    Path builds = Files.createDirectories(out.resolve("J"));
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("sandbox")))) {
      assertEquals(5, continueRun(sandbox, builds, 7).exit());
      Path build7 = builds.resolve("build-7");
      assertEquals(0, record(build7, "--sign-with", rcKey.toString()).exit());
      // a copy of the folder whose approval's reason was edited after signing, its chain recomputed
      Path edited = Files.createDirectories(out.resolve("E").resolve("build-7"));
      List<String> lines = Files.readAllLines(build7.resolve(Journal.FILE_NAME));
      for (String line : lines) {
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        var data = (com.fasterxml.jackson.databind.node.ObjectNode) node.get("data");
        if (node.path("type").asText().equals(Event.GATE_DECISION.key())) data.put("reason", "approved: roll back everything, now");
        new Journal(edited, node.path("actor").asText()).append(Event.of(node.path("type").asText()),
            new com.fasterxml.jackson.databind.ObjectMapper().convertValue(data, java.util.Map.class));
      }
      Cli.Run forged = continueRun(sandbox, out.resolve("E"), 8);
      assertEquals(5, forged.exit(), forged.out() + forged.err());
      assertTrue(forged.err().contains("by rc.jones") && forged.err().contains("the signature is not rc.jones's"), forged.err());
      assertFalse(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "traffic not switched");

      // the intact journal's signed approval is verified again and counts in the continued run
      Cli.Run run = continueRun(sandbox, builds, 8);
      assertEquals(0, run.exit(), run.out() + run.err());
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env));
    }
  }

  @Test
  void aPlanThatRequiresSignaturesNamesWhoMaySign() throws Exception {
    String yaml = planYaml("null", "[production]");
    PlanException e = assertThrows(PlanException.class, () -> new PlanLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "test plan"));
    assertTrue(e.getMessage().contains("gate.signatures.allowedSigners"), e.getMessage());
    String unknown = planYaml(out.resolve("allowed_signers").toString(), "[prod]");
    PlanException env = assertThrows(PlanException.class, () -> new PlanLoader().parse(unknown.getBytes(StandardCharsets.UTF_8), "test plan"));
    assertTrue(env.getMessage().contains("gate.signatures.requiredOn[0]") && env.getMessage().contains("allowed: "), env.getMessage());
  }
}
