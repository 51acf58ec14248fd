package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.RouteTable;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.PlanLoader;
import lms.rollback.testing.Approvals;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import lms.rollback.verify.CheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blue takes all of production: it is judged against what it replaces (Green's ready replicas) and the plan's minimum, never its own size. */
class BlueCapacityTest {

  @TempDir Path out;

  /** The sandbox with Blue at {@code blue} and Green at {@code green} ready replicas. */
  private Sandbox sized(int blue, int green) {
    Sandbox sandbox = Sandbox.start(out);
    sandbox.cluster.seed(sandbox.env, Map.of(), blue, green);
    return sandbox;
  }

  private static boolean onGreen(Sandbox sandbox) {
    return !RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env);
  }

  @Test
  void aBlueScaledToOnePodIsRefusedAgainstGreensThreeNamingBothAndNothingIsPatched() throws Exception {
    try (Sandbox sandbox = sized(1, 3)) {
      // Given Blue at 1/1 ready (all of its own replicas) and Green serving with 3
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Approvals.byReleaseCommander(out, "AUTO-001");
      String before = sandbox.virtualService().getMetadata().getResourceVersion();

      // When the rollback runs
      Cli.Run run = Cli.lmsctl("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
          "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith", "--reason", "login broken for everyone since 02:10");

      // Then the preflight refuses, naming both numbers and where the need comes from, and says nothing changed
      assertEquals(ExitCode.CLUSTER_STATE, run.exit(), run.out() + run.err());
      String said = run.out() + run.err();
      assertTrue(said.contains("Blue capacity: Deployment lms-blue has 1/1 ready replicas; needs 3 (Green serves with 3 ready; plan minimum 3)"), said);
      assertTrue(said.contains("nothing was changed"), said);
      // ... and nothing was: no command sent, traffic still on Green, Green's replicas as they were
      assertTrue(onGreen(sandbox));
      assertEquals(before, sandbox.virtualService().getMetadata().getResourceVersion());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
      assertFalse(sandbox.journalTypes().contains("cluster.command.start"), sandbox.journalTypes().toString());
    }
  }

  @Test
  void aGreenLargerThanThePlansMinimumSetsTheNeed() {
    try (Sandbox sandbox = sized(3, 5)) {
      LmsException e = assertThrows(LmsException.class,
          () -> new Preflight(sandbox.engine(), sandbox.env, Sandbox.PLAN.scenario("A"), null, null).run());

      assertEquals(ExitCode.CLUSTER_STATE, e.exitCode());
      assertTrue(e.getMessage().contains("Blue capacity: Deployment lms-blue has 3/3 ready replicas; needs 5 (Green serves with 5 ready; plan minimum 3)"),
          e.getMessage());
    }
  }

  @Test
  void thePlansMinimumHoldsWhenGreenIsAlreadyDown() {
    try (Sandbox sandbox = sized(2, 0)) {
      // Given Green already at 0: it serves nothing, so only the plan's minimum of 3 can say what Blue needs
      LmsException e = assertThrows(LmsException.class,
          () -> new Preflight(sandbox.engine(), sandbox.env, Sandbox.PLAN.scenario("A"), null, null).run());

      assertTrue(e.getMessage().contains("Blue capacity: Deployment lms-blue has 2/2 ready replicas; needs 3 (Green serves with 0 ready; plan minimum 3)"),
          e.getMessage());
      assertTrue(onGreen(sandbox), "the VirtualService was not touched");
    }
  }

  @Test
  void withoutAPlanMinimumGreensReadyReplicasDecideAndAGreenThatIsDownNeedsOneBlue() throws Exception {
    String yaml = new String(PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE).readAllBytes(), StandardCharsets.UTF_8);
    String withoutMinimum = yaml.replace("    minBlueReadyReplicas: 3\n", "");
    assertFalse(withoutMinimum.equals(yaml), "the built-in plan no longer sets production's minBlueReadyReplicas");
    var env = new PlanLoader().parse(withoutMinimum.getBytes(StandardCharsets.UTF_8), "no minimum").environment(Sandbox.ENV);
    try (Sandbox sandbox = sized(2, 0)) {
      BlueCapacity down = BlueCapacity.of(sandbox.engine(), env);
      assertTrue(down.sufficient(), down.describe());
      assertEquals("Deployment lms-blue has 2/2 ready replicas; needs 1 (Green serves with 0 ready; no plan minimum, so at least 1)", down.describe());

      sandbox.cluster.seed(sandbox.env, Map.of(), 2, 3);
      BlueCapacity serving = BlueCapacity.of(sandbox.engine(), env);
      assertFalse(serving.sufficient(), serving.describe());
      assertEquals("Deployment lms-blue has 2/2 ready replicas; needs 3 (Green serves with 3 ready; no plan minimum)", serving.describe());
    }
  }

  @Test
  void theVerifyStepJudgesBlueAgainstGreenToo() {
    try (Sandbox sandbox = sized(1, 3)) {
      // Given traffic forced onto a Blue of 1 pod while Green still runs its 3
      new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request(Sandbox.ENV, sandbox.env, "Green corrupts data, 1 Blue pod is better"));

      // When Blue is verified in the cluster
      BlueChecks.Verdicts verdicts = BlueChecks.afterTheSwitch(sandbox.engine(), sandbox.env, Instant.now(), null, "ERROR", null);
      List<CheckResult> checks = verdicts.list();

      // Then "Blue replicas ready" fails against Green's 3, and the list stops there
      CheckResult ready = checks.stream().filter(c -> c.name().equals(BlueChecks.CAPACITY)).findFirst().orElseThrow();
      assertFalse(ready.passed(), ready.toString());
      assertEquals("1/1", ready.measured());
      assertEquals(">= 3 (Green serves with 3 ready; plan minimum 3)", ready.threshold());
      assertEquals(ready, verdicts.notServing());
    }
  }
}
