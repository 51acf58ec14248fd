package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.sandbox.StandInController;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Cli.Run;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lmsctl as a user meets it: exit codes, one-line errors on stderr, data on stdout. */
class LmsctlTest {

  @TempDir Path out;
  Sandbox sandbox;
  static final ObjectMapper JSON = new ObjectMapper();

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  static Run lmsctl(String... args) {
    return Cli.lmsctl(args);
  }

  private String[] against(String... args) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--actor", "alice"));
    return all.toArray(String[]::new);
  }

  @Test
  void everyVerbExplainsItselfWithAnExample() {
    for (String verb : List.of("switch", "stop-green", "status", "plan", "sandbox")) {
      Run r = lmsctl(verb, "--help");
      assertTrue(r.out().lines().allMatch(l -> l.length() <= 100), verb + " help has an overlong line:\n" + r.out());
      assertEquals(0, r.exit(), verb);
      assertTrue(r.out().contains("Example"), verb + ":\n" + r.out());
      assertTrue(r.out().contains("--plan") && r.out().contains("--env"), verb);
    }
    String help = lmsctl("switch", "--help").out();
    assertTrue(help.contains("--force") && help.contains("--reason") && help.contains("--lock-wait") && help.contains("--kubeconfig"), help);
    assertTrue(help.matches("(?s).*Default:\\s+production.*"), help);
  }

  @Test
  void aCallBuildsOnlyItsVerbYetHelpAndUnknownVerbsSeeThemAll() throws Exception {
    // the real entry point, in its own process: main builds the model of the verb named, or of all of them
    Cli.Run help = lms.rollback.testing.LmsctlProcess.run(java.util.Map.of(), "help", "switch");
    assertEquals(0, help.exit(), help.err());
    assertTrue(help.out().startsWith("Usage: lmsctl switch"), help.out());
    Cli.Run unknown = lms.rollback.testing.LmsctlProcess.run(java.util.Map.of(), "swich");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("Unknown subcommand 'swich'") || unknown.err().contains("swich"), unknown.err());
    Cli.Run top = lms.rollback.testing.LmsctlProcess.run(java.util.Map.of(), "--help");
    assertTrue(top.out().contains("readiness") && top.out().contains("followups") && top.out().contains("sandbox"), top.out());
  }

  @Test
  void switchPrintsJsonOnStdoutAndJournalsUnderOutDir() throws Exception {
    sandbox = Sandbox.start(out);

    Run r = lmsctl(against("switch", "--env", "production", "-o", "json"));

    assertEquals(ExitCode.OK, r.exit(), r.err());
    JsonNode data = JSON.readTree(r.out());
    assertTrue(data.path("changed").asBoolean());
    assertEquals("http[0]: lms-blue 100%, lms-green 0%", data.path("after").get(0).asText());
    List<String> journal = Files.readAllLines(out.resolve("journal.jsonl"));
    assertTrue(journal.get(0).contains("\"verb.start\"") && journal.get(0).contains("\"actor\":\"alice\""), journal.get(0));
    assertTrue(journal.stream().anyMatch(l -> l.contains("\"lease.acquired\"")));
    assertTrue(journal.get(journal.size() - 1).contains("\"verb.end\""));
  }

  @Test
  void twoConcurrentSwitchesOneChangesTheOtherFindsItDone() throws Exception {
    // Given two operators starting the same rollback at the same moment
    sandbox = Sandbox.start(out);
    String[] args = against("switch", "-o", "json", "--lock-wait", "30s");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    var start = new java.util.concurrent.CountDownLatch(1);
    var a = pool.submit(() -> {
      start.await();
      return lmsctl(args);
    });
    var b = pool.submit(() -> {
      start.await();
      return lmsctl(args);
    });

    // When
    start.countDown();
    Run ra = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
    Run rb = b.get(60, java.util.concurrent.TimeUnit.SECONDS);
    pool.shutdown();

    // Then both succeed, exactly one of them changed the VirtualService, and only one PATCH was sent
    assertEquals(0, ra.exit(), ra.err());
    assertEquals(0, rb.exit(), rb.err());
    boolean aChanged = JSON.readTree(ra.out()).path("changed").asBoolean();
    boolean bChanged = JSON.readTree(rb.out()).path("changed").asBoolean();
    assertTrue(aChanged ^ bChanged, ra.out() + rb.out());
    long patches = sandbox.journal.read().stream().filter(e -> e.type().equals("cluster.command")).count();
    assertEquals(1, patches);
  }

  @Test
  void blueNotReadyExitsThreeWithOneLine() throws Exception {
    sandbox = Sandbox.start(out, Duration.ZERO, Map.of(StandInController.READY_LIMIT, "2"));

    Run r = lmsctl(against("switch"));

    assertEquals(ExitCode.CLUSTER_STATE, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("lmsctl switch: Blue cannot take the traffic"), r.err());
    assertEquals("", r.out());
    assertTrue(Files.readString(out.resolve("journal.jsonl")).contains("\"verb.failed\""));
  }

  @Test
  void forceWithoutAReasonIsInvalidInputAndChangesNothing() throws Exception {
    sandbox = Sandbox.start(out, Duration.ZERO, Map.of(StandInController.READY_LIMIT, "2"));
    JsonNode before = sandbox.virtualServiceJson();

    Run r = lmsctl(against("switch", "--force", "--reason", "because"));

    assertEquals(ExitCode.INVALID_INPUT, r.exit());
    assertTrue(r.err().contains("--reason: required with --force, at least 10 characters"), r.err());
    assertEquals(before, sandbox.virtualServiceJson());
  }

  @Test
  void unknownEnvironmentNamesTheAllowedOnes() {
    Run r = lmsctl("status", "--env", "prod", "--out-dir", out.toString());

    assertEquals(ExitCode.INVALID_INPUT, r.exit());
    assertEquals("lmsctl status: --env: unknown environment 'prod'; allowed: dr, production, staging", r.err().strip());
  }

  @Test
  void badPlanFileExitsTwoNamingFileAndField() throws Exception {
    Path plan = out.resolve("plan.yaml");
    String yaml = new String(getClass().getClassLoader().getResourceAsStream("lms/rollback/rollback-plan.yaml").readAllBytes())
        .replace("budget: 60s", "budget: sixty");
    Files.writeString(plan, yaml);

    Run r = lmsctl("plan", "--plan", plan.toString());

    assertEquals(ExitCode.INVALID_INPUT, r.exit());
    assertTrue(r.err().startsWith("lmsctl plan: " + plan + ": preRollbackChecklist.budget: 'sixty' is not a duration"), r.err());
  }

  @Test
  void unknownOptionIsInvalidInput() {
    Run r = lmsctl("switch", "--enviroment", "production");

    assertEquals(ExitCode.INVALID_INPUT, r.exit());
    assertTrue(r.err().startsWith("lmsctl switch: Unknown option"), r.err());
    assertTrue(r.err().contains("'--enviroment'"), r.err());
    assertTrue(r.err().contains("Try 'lmsctl switch --help'."), r.err());
  }

  @Test
  void stopGreenBeforeTheSwitchExitsThreeAndGreenKeepsRunning() throws Exception {
    sandbox = Sandbox.start(out);

    Run r = lmsctl(against("stop-green"));

    assertEquals(ExitCode.CLUSTER_STATE, r.exit());
    assertTrue(r.err().contains("Run 'lmsctl switch' first"), r.err());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void smokeWithoutCredentialsExitsFourAndWritesJUnit() throws Exception {
    try (var lms = new lms.rollback.sandbox.LmsStandIn("2.4.1")) {
      Run r = lmsctl("smoke", "--base-url", lms.url(), "--out-dir", out.toString());

      assertEquals(ExitCode.VERIFICATION_FAILED, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("[INC ] User authentication") && r.out().contains("LMS_SMOKE_USER is not set"), r.out());
      assertTrue(Files.readString(out.resolve("smoke-junit.xml")).contains("<testcase"));
    }
  }

  @Test
  void verifyBlueWithPrometheusDownExitsFour() throws Exception {
    sandbox = Sandbox.start(out);
    try (var lms = new lms.rollback.sandbox.LmsStandIn("2.4.1")) {
      assertEquals(0, lmsctl(against("switch")).exit());
      Run r = lmsctl(against("verify-blue", "--base-url", lms.url(), "--prometheus", "http://127.0.0.1:9/", "--window", "0s", "-o", "json"));

      assertEquals(ExitCode.VERIFICATION_FAILED, r.exit(), r.err());
      JsonNode data = JSON.readTree(r.out());
      assertFalse(data.path("passed").asBoolean());
      // the expected version came from Blue's Deployment in the cluster
      assertEquals("pass", data.path("checks").get(0).path("status").asText(), "traffic on Blue: " + data);
      assertEquals("pass", data.path("checks").get(3).path("status").asText(), data.toString());
      assertEquals("inconclusive", data.path("checks").get(5).path("status").asText(), data.toString());
    }
  }

  @Test
  void triggersListsTheWholeCatalogue() throws Exception {
    Run r = lmsctl("triggers", "-o", "json", "--out-dir", out.toString());

    assertEquals(0, r.exit(), r.err());
    JsonNode list = JSON.readTree(r.out());
    assertEquals(16, list.size());
    assertEquals("errorRatePercent > 5.0 for 5m", list.get(0).path("measure").asText());
    assertFalse(list.get(0).path("approvalNeeded").asBoolean());
    assertEquals("Compliance Officer", list.get(13).path("authority").asText());
  }

  @Test
  void theGateOfBus004StaysWithTheCioCtoAndSaysNobodyIsAbove() {
    Run r = lmsctl("gate", "plan", "--trigger", "BUS-004", "--out-dir", out.toString());

    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(List.of("BUS-004 (business): Executive escalation",
        "  level 0  CIO/CTO                  2m    may decide: lms-cio, lms-cto",
        "  no escalation after CIO/CTO: the plan names nobody above; unanswered, nothing is rolled back"), lines, r.out());
  }

  @Test
  void rollbackHelpSaysAnAutomaticTriggerNeedsNoDecisionOnlyWhenMeasuredToHold() {
    Run r = lmsctl("rollback", "--help");

    // as Authority.gateFor decides: an AUTO trigger not measured to hold is asked of the technical row, like a MAN one
    String help = r.out().replaceAll("\\s+", " ");
    assertTrue(help.contains("An AUTO- trigger needs no decision only when the engine measured it to hold"), help);
    assertTrue(help.contains("named but not measured to hold, it is decided as a manual request by the Release Commander"), help);
    assertFalse(help.contains("AUTO- triggers need no decision"), help);
  }

  @Test
  void theTriggersTableKeepsEveryColumnInLine() throws Exception {
    Run r = lmsctl("triggers", "--out-dir", out.toString());

    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    int measured = lines.get(0).indexOf("MEASURED AS");
    int decideIn = lines.get(0).indexOf("DECIDE IN");
    for (String l : lines.subList(1, lines.size())) {
      assertEquals(' ', l.charAt(measured - 1), l);
      assertTrue(l.charAt(measured) != ' ' && l.substring(decideIn - 2, decideIn).isBlank() && l.charAt(decideIn) != ' ', "in line: " + l);
    }
  }

  @Test
  void statusShowsRoutesReplicasAndTheCapabilityWindow() throws Exception {
    sandbox = Sandbox.start(out);

    Run r = lmsctl(against("status", "-o", "json"));

    assertEquals(0, r.exit(), r.err());
    JsonNode s = JSON.readTree(r.out());
    assertEquals("http[0]: lms-blue 0%, lms-green 100%", s.path("routes").get(0).asText());
    assertEquals(3, s.path("green").path("ready").asInt());
    assertEquals("Traffic switch (instant)", s.path("capabilityWindow").path("method").asText());
  }

  @Test
  void sandboxRunsScenarioBEndToEnd() throws Exception {
    Run r = lmsctl("sandbox", "--out-dir", out.toString(), "--termination-delay", "100ms", "-o", "json");

    assertEquals(0, r.exit(), r.err());
    JsonNode result = JSON.readTree(r.out());
    assertTrue(result.path("ok").asBoolean());
    List<String> actions = new ArrayList<>();
    result.path("steps").forEach(s -> actions.add(s.path("action").asText()));
    assertEquals(List.of("announce", "switch-traffic", "verify-blue", "stop-green", "confirm"), actions);
    result.path("steps").forEach(s -> assertFalse(s.path("overBudget").asBoolean(), s.toString()));
    assertEquals(3, Files.list(out.resolve("green-logs")).count());
  }
}
