package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.ServedSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #36 item 3: with Prometheus down the rollback still happens — switching back to the known good release is the safe
 * move — but what cannot be decided is Blue's health: Green is not scaled down, the run ends "switched, unverified", and
 * no message calls it complete.
 */
class PrometheusDownTest {

  @TempDir Path dir;

  @Test
  void prometheusKilledBeforeTheRunSwitchesTrafficKeepsGreenAndSaysUnverified() throws Exception {
    try (ServedSandbox served = ServedSandbox.start(dir.resolve("sandbox"), Map.of()); HttpReceiver warRoom = new HttpReceiver();
        HttpReceiver statusPage = new HttpReceiver()) {
      Path kubeconfig = served.kubeconfig();
      // Given the plan's Prometheus is a real one, killed before the run (its port then refuses, as a crashed server's does)
      String yaml = Files.readString(served.plan());
      String lmsAddress = yaml.replaceAll("(?s).*?baseUrl: \"http://(127\\.0\\.0\\.1:\\d+)/\".*", "$1");
      PrometheusServer prometheus = PrometheusServer.scraping(lmsAddress, Files.createDirectories(dir.resolve("prom")));
      prometheus.kill();
      Path plan = dir.resolve("plan.yaml");
      Files.writeString(plan, yaml.replaceFirst("prometheusUrl: \"http://127\\.0\\.0\\.1:\\d+/\"", "prometheusUrl: \"" + prometheus.url() + "\""));
      Path out = dir.resolve("run");
      // AUTO-001 cannot be measured without Prometheus: it is decided as a manual request, by the Release Commander
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");

      // When the rollback runs
      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_STATUS_PAGE_WEBHOOK", statusPage.url(),
              "LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p", "LMS_SMOKE_TOKEN", "sandbox-token"), "rollback", "--scenario", "B",
          "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(), "--plan", plan.toString(), "--window", "6s",
          "--out-dir", out.toString(), "--lock-wait", "5s", "--actor", "ops.oncall");

      // Then the preflight said so and let it switch, traffic is on Blue, Green is untouched
      String said = run.out() + run.err();
      assertEquals(4, run.exit(), said);
      assertTrue(said.contains("switched, unverified"), said);
      List<Journal.Entry> journal = new Journal(out, "t").read();
      assertTrue(journal.stream().anyMatch(e -> e.type().equals("preflight.check") && e.data().path("name").asText().equals("Prometheus")
          && !e.data().path("ok").asBoolean() && !e.data().path("blocking").asBoolean(true)), "Prometheus' preflight check journaled as not blocking");
      assertTrue(journal.stream().anyMatch(e -> e.type().equals("switch.after")), "traffic switched");
      assertFalse(journal.stream().anyMatch(e -> e.type().equals("cluster.command") && e.data().path("command").asText().equals("scale deployment")),
          "Green must not be scaled down on an unverified Blue");
      Cli.Run status = Cli.lmsctl("status", "--kubeconfig", kubeconfig.toString(), "--plan", plan.toString(), "--env", Sandbox.ENV,
          "--out-dir", dir.resolve("status").toString(), "-o", "json");
      assertTrue(status.out().contains("lms-blue 100%, lms-green 0%"), status.out());
      assertTrue(status.out().replaceAll("\\s", "").matches("(?s).*\"green\":\\{[^}]*\"ready\":3.*"), status.out());

      // and no message says complete, operational or that Blue is unhealthy; the war room learns what was not checked
      String all = String.join("\n", warRoom.bodies) + String.join("\n", statusPage.bodies);
      String last = warRoom.bodies.get(warRoom.bodies.size() - 1);
      assertTrue(last.contains("SWITCHED, UNVERIFIED") && last.contains("Blue error rate"), last);
      assertFalse(all.contains("ROLLBACK COMPLETE") || all.contains("operational") || all.contains("unhealthy"), all);
      String md = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(md.contains("NOT VERIFIED: not checked: Blue error rate"), md);
      // what Green served is not measured either, and says why: never a made-up 0 (#36 item 12)
      assertTrue(md.contains("- Requests served by Green (from its deployment to the switch): not measured (Prometheus did not answer"), md);
    }
  }

}
