package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.2 step 1, "no new errors in Blue logs": a Blue that logs errors after the switch is not verified, and Green stays. */
class BlueLogsTest {

  @TempDir Path out;

  private Cli.Run rollback(Sandbox sandbox) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001"); // AUTO-001 named on --cluster-only is not measured: a manual request
    return Cli.lmsctl("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "ops.oncall");
  }

  @Test
  void blueLoggingErrorsAfterTheSwitchStopsTheRunBeforeGreen() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      // Given Blue's pods log a database error once they take traffic
      sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> stream.write((pod.contains("blue")
          ? "2026-12-01T02:15:01Z INFO  GET /api/health 200 3ms\n2026-12-01T02:15:02Z ERROR could not obtain connection from pool (timeout 30s)\n"
          : "2026-12-01T02:10:00Z INFO  lms 3.0.0\n").getBytes(StandardCharsets.UTF_8)));

      Cli.Run run = rollback(sandbox);

      // Then verify-blue fails naming the lines, and Green is never reached
      assertEquals(4, run.exit(), run.out() + run.err());
      String said = run.out() + run.err();
      assertTrue(said.contains("Blue logs: no new errors fail") && said.contains("could not obtain connection from pool"), said);
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is left running");
      assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("Blue logs: no new errors | fail"));
    }
  }

  @Test
  void theVerifyBlueVerbScansBlueLogsAsTheRunsVerifyStepDoes() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      var blue = sandbox.cluster.startLms(sandbox.env);
      sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> stream.write((pod.contains("blue")
          ? "2026-12-01T02:15:02Z ERROR could not obtain connection from pool (timeout 30s)\n" : "").getBytes(StandardCharsets.UTF_8)));
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      // lmsVerifyBlue's call, before the switch: the run's first checks, the cluster's view, fail at once
      Cli.Run early = Cli.lmsctl("verify-blue", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(),
          "--base-url", blue.url(), "--prometheus", sandbox.cluster.metrics().url(), "--window", "0s", "--lock-wait", "5s");
      assertEquals(4, early.exit(), early.out() + early.err());
      assertTrue(early.out().contains("[FAIL] Traffic 100% on Blue") && early.out().contains("traffic is not on Blue"), early.out());
      assertTrue(!early.out().contains("Blue logs"), "not observed while Blue does not serve: " + early.out());

      // lmsRollbackSwitch's call, then lmsVerifyBlue's: the standalone verbs
      assertEquals(0, Cli.lmsctl("switch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(),
          "--lock-wait", "5s").exit());
      Cli.Run run = Cli.lmsctl("verify-blue", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(),
          "--base-url", blue.url(), "--prometheus", sandbox.cluster.metrics().url(), "--window", "0s", "--lock-wait", "5s");

      assertEquals(4, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("Blue logs: no new errors") && run.out().contains("could not obtain connection from pool"), run.out());
      assertTrue(run.out().contains("[pass] Traffic 100% on Blue") && run.out().contains("[pass] Blue replicas ready"), run.out());
    }
  }

  @Test
  void aColouredErrorIsAnErrorAndTheJUnitReportStaysWellFormed() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      // Given Blue logs its errors in colour, as a terminal-minded logger does
      sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> stream.write((pod.contains("blue")
          ? "2026-12-01T02:15:02Z \u001b[31mERROR\u001b[0m could not obtain connection from pool\n" : "").getBytes(StandardCharsets.UTF_8)));

      Cli.Run run = rollback(sandbox);

      // Then it is matched as the plain word, Green stays, and the JUnit file quoting the line parses
      assertEquals(4, run.exit(), run.out() + run.err());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is left running");
      Path junit = out.resolve("rollback-report-junit.xml");
      var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
      assertTrue(doc.getElementsByTagName("failure").getLength() >= 1);
      assertTrue(Files.readString(junit).contains("ERROR could not obtain connection from pool"), Files.readString(junit));
    }
  }

  @Test
  void aLeaseTakenOverMidRunStopsTheRunBeforeGreenIsTouched() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      // Given another rollback takes the environment's lease while this one verifies Blue (reading Blue's logs)
      String lease = lms.rollback.cluster.EnvironmentLease.NAME_PREFIX + Sandbox.ENV;
      sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> {
        sandbox.store().resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class).inNamespace(ns).withName(lease).edit(l -> {
          l.getSpec().setHolderIdentity("jenkins-Rollback-77");
          return l;
        });
        stream.write("2026-12-01T02:15:01Z INFO  GET /api/health 200 3ms\n".getBytes(StandardCharsets.UTF_8));
      });

      Cli.Run run = rollback(sandbox);

      // Then the run stops at its next step, naming the new holder, and Green still runs
      assertEquals(3, run.exit(), run.out() + run.err());
      assertTrue((run.out() + run.err()).contains("is no longer this run's: it is held by 'jenkins-Rollback-77'"), run.out() + run.err());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is left running");
    }
  }

  @Test
  void quietBlueLogsAreACheckThatPassesAndIsCounted() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Cli.Run run = rollback(sandbox);

      assertEquals(0, run.exit(), run.out() + run.err());
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("Blue logs: no new errors | pass"), report);
    }
  }
}
