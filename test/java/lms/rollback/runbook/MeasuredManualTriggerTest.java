package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #36 item 12(d): a trigger people decide that the plan gives a measure (MAN-001, MAN-002) is measured once as its gate
 * opens, the way an automatic one is, so its deciders read the value, or why there is none, not "judged by a person".
 */
class MeasuredManualTriggerTest {

  @TempDir Path out;

  static List<JsonNode> entries(Path dir, String type) {
    return new Journal(dir, "reader").read().stream().filter(e -> e.type().equals(type)).map(Journal.Entry::data).toList();
  }

  @Test
  void theDecidersOfMan001ReadItsMeasuredErrorRate() {
    // the sandbox's Prometheus stand-in has Green erring 12 %: above MAN-001's 1-5 %, so measured, and clear
    Cli.Run run = Cli.lmsctl("sandbox", "--gate", "MAN-001", "--minute", "2s", "--out-dir", out.toString());

    assertEquals(0, run.exit(), run.out() + run.err());
    List<JsonNode> measured = entries(out, "trigger.evaluated");
    assertEquals(1, measured.size(), "measured once, as its gate opened: " + measured);
    assertEquals("MAN-001", measured.get(0).path("trigger").asText());
    assertEquals("clear", measured.get(0).path("state").asText(), measured.get(0).toString());
    String evidence = entries(out, "gate.opened").get(0).path("evidence").asText();
    assertTrue(evidence.startsWith("errorRatePercent > 1.0 <= 5.0 for 5m: not sustained: 11.9") || evidence.startsWith(
        "errorRatePercent > 1.0 <= 5.0 for 5m: not sustained: 12"), evidence);
    assertFalse(evidence.contains("judged by a person"), evidence);
  }

  Cli.Run clusterOnly(Sandbox sandbox, String trigger) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    return Cli.lmsctl("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", trigger, "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.resolve("run").toString(), "--cluster-only", "--lock-wait", "5s", "--requested-by", "dev.smith", "--reason",
        "errors on the leave form since the release");
  }

  @Test
  void whereItCannotBeMeasuredTheDecidersAreToldWhy() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out.resolve("sandbox"))) {
      Cli.Run run = clusterOnly(sandbox, "MAN-001");

      assertEquals(5, run.exit(), run.out() + run.err());
      assertEquals("not measured", entries(out.resolve("run"), "trigger.evaluated").get(0).path("state").asText());
      assertEquals("not measured (this run has no Prometheus (--cluster-only)): MAN-001 is judged by a person (see the reason)",
          entries(out.resolve("run"), "gate.opened").get(0).path("evidence").asText());
    }
  }

  @Test
  void aTriggerThePlanGivesNoMeasureIsNotMeasured() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out.resolve("sandbox"))) {
      Cli.Run run = clusterOnly(sandbox, "MAN-003");

      assertEquals(5, run.exit(), run.out() + run.err());
      assertEquals(List.of(), entries(out.resolve("run"), "trigger.evaluated"));
      assertEquals("no measurement journaled: MAN-003 is judged by a person (see the reason)",
          entries(out.resolve("run"), "gate.opened").get(0).path("evidence").asText());
    }
  }
}
