package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.MetricsExporter;
import lms.rollback.testing.MetricsExporter.Traffic;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.TestPlans;
import lms.rollback.testing.Tool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #23 item 2: naming an automatic trigger is not evidence of it. The run measures it on a real Prometheus (traffic for
 * longer than the trigger's window, a scrape every second) before its decision; only a trigger that holds lets it start
 * without a person, otherwise the Release Commander decides it as a manual request.
 */
class AutomaticTriggerEvidenceTest {

  static final java.util.Map<String, String> SMOKE = java.util.Map.of("LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p", "LMS_SMOKE_TOKEN",
      lms.rollback.sandbox.LmsStandIn.TOKEN);
  static final Traffic HEALTHY = new Traffic(0, 0.2, 0.08, 0);
  static final Traffic ERRING = new Traffic(0, 12, 0.8, 0);

  @TempDir Path out;

  /** Given Green serving {@code green} for longer than AUTO-001's window (15 s here) plus its rate window (8 s). */
  Cli.Run rollbackAfterTraffic(Traffic green, String... more) throws Exception {
    Tool.PROMETHEUS.require();
    try (Sandbox sandbox = Sandbox.start(out.resolve("sandbox"));
        MetricsExporter exporter = new MetricsExporter().set("lms-blue", HEALTHY).set("lms-green", green)
            .routed("lms-blue", "lms-green", 40, () -> sandbox.cluster.blueShare(sandbox.env), Duration.ofSeconds(1));
        PrometheusServer prometheus = PrometheusServer.scraping(exporter.target(), Files.createDirectories(out.resolve("prom")))) {
      var standIn = sandbox.cluster.startLms(sandbox.env);
      // AUTO-001 sustained over 15 s, sampled every 3 s on rate[8s]: a scrape delayed by a loaded machine loses no sample
      String yaml = TestPlans.fastYaml();
      String plain = yaml.replace("evaluationStep: 1s", "evaluationStep: 3s").replace("rateWindow: 4s", "rateWindow: 8s")
          .replace("measure: { query: errorRatePercent, above: 5, for: 12s }", "measure: { query: errorRatePercent, above: 5, for: 15s }");
      if (plain.equals(yaml)) throw new IllegalStateException("the fast plan no longer has the windows this test widens");
      Path plan = Files.writeString(out.resolve("plan.yaml"), plain);
      Thread.sleep(Duration.ofSeconds(30).toMillis());
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      List<String> args = new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", out.resolve("run").toString(), "--plan", plan.toString(), "--prometheus", prometheus.url(), "--base-url",
          standIn.url(), "--lock-wait", "5s", "--requested-by", "dev.intern", "--reason", "I think it is broken", "--through", "decision"));
      args.addAll(List.of(more));
      Cli.Run run = LmsctlProcess.run(SMOKE, args.toArray(String[]::new));
      greenServing = sandbox.cluster.blueShare(sandbox.env) < 100 && sandbox.deployment("lms-green").getSpec().getReplicas() > 0;
      return run;
    }
  }

  boolean greenServing;

  JsonNode measured() {
    return new Journal(out.resolve("run"), "reader").read().stream().filter(e -> e.type().equals("trigger.evaluated")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the run journaled no measurement")).data();
  }

  @Test
  void anAutomaticTriggerNamedWhilePrometheusShowsNoErrorsWaitsForTheReleaseCommander() throws Exception {
    // When dev.intern names AUTO-001 while Green errs 0.2 %
    Cli.Run run = rollbackAfterTraffic(HEALTHY);

    // Then nothing moved: the run waits for a manual decision, with the measurement that refused the shortcut journaled
    assertEquals(5, run.exit(), run.out() + run.err());
    assertTrue(greenServing, "traffic stays where it was and Green is not scaled down");
    assertTrue(run.out().contains("waiting for Release Commander"), run.out());
    assertTrue(run.out().contains("AUTO-001 was named but the engine did not measure it to hold"), run.out());
    JsonNode m = measured();
    assertEquals("clear", m.path("state").asText(), m.toString());
    assertTrue(m.path("samples").asInt() >= 5, "the samples of its window: " + m);
    assertTrue(m.path("value").asDouble() < 5, m.toString());
    var types = new Journal(out.resolve("run"), "reader").read().stream().map(Journal.Entry::type).toList();
    assertTrue(types.contains("gate.opened") && !types.contains("scenario.decided"), types.toString());

    // and the Release Commander's approval, as for a manual trigger, is what lets it go on
    Cli.Run approved = Cli.lmsctl("gate", "record", "--trigger", "AUTO-001", "--decision", "approve", "--by", "rc.jones", "--groups",
        "lms-release-commanders", "--requested-by", "dev.intern", "--reason", "checked: checkout fails for some users", "--out-dir",
        out.resolve("run").toString(), "--plan", out.resolve("plan.yaml").toString());
    assertEquals(0, approved.exit(), approved.out() + approved.err());
    assertTrue(approved.out().contains("approved by rc.jones (Release Commander)"), approved.out());
  }

  @Test
  void anAutomaticTriggerThatHoldsOnTheRunsOwnMeasurementNeedsNobody() throws Exception {
    Cli.Run run = rollbackAfterTraffic(ERRING, "-o", "json");

    assertEquals(0, run.exit(), run.out() + run.err());
    JsonNode m = measured();
    assertEquals("holds", m.path("state").asText(), m.toString());
    assertTrue(m.path("samples").asInt() >= 5, m.toString());
    JsonNode gate = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out()).path("gate");
    assertEquals("not-required", gate.path("status").asText(), gate.toString());
    assertTrue(gate.path("closedBy").asText().startsWith("AUTO-001 held when the engine measured it"), gate.toString());
  }

  @Test
  void aRunThatCannotMeasureItsAutomaticTriggerAsksTheReleaseCommanderAndChangesNothing() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Cli.Run run = Cli.lmsctl("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
          "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--requested-by", "dev.intern", "--reason", "I think it is broken");

      assertEquals(5, run.exit(), run.out() + run.err());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
      JsonNode m = new Journal(out, "reader").read().stream().filter(e -> e.type().equals("trigger.evaluated")).findFirst().orElseThrow().data();
      assertEquals("not measured", m.path("state").asText());
      assertTrue(m.path("detail").asText().contains("--cluster-only"), m.toString());
      assertFalse(Files.readString(out.resolve(Journal.FILE_NAME)).contains("switch.after"));

      // nor can a measurement be written into the journal by hand to skip the approval
      Cli.Run forged = Cli.lmsctl("audit", "record", "--type", "trigger.evaluated", "--field", "trigger=AUTO-001", "--field", "state=holds",
          "--out-dir", out.toString());
      assertEquals(2, forged.exit(), forged.err());
      assertTrue(forged.err().contains("reserved for lmsctl's own entries"), forged.err());
      Cli.Run again = Cli.lmsctl("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
          "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--requested-by", "dev.intern", "--reason", "I think it is broken");
      assertEquals(5, again.exit(), again.out() + again.err());
    }
  }
}
