package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease is an API call like any other: retried when the server struggles, and a refusal is journaled. */
class EnvironmentLeaseTest {

  @TempDir Path out;

  private Cli.Run switchTraffic(Path kubeconfig) {
    return Cli.lmsctl("switch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--lock-wait", "10s");
  }

  @Test
  void serverErrorsOnTheLeaseAreRetriedUntilItIsTaken() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      sandbox.cluster.server().inject("GET", ".*/leases/lms-rollback-production", 503, 2);

      Cli.Run run = switchTraffic(kubeconfig);

      assertEquals(0, run.exit(), run.out() + run.err());
      assertTrue(sandbox.journalTypes().contains("lease.acquired"));
    }
  }

  @Test
  void aForbiddenLeaseFailsWithOneLineAndIsJournaled() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      sandbox.cluster.server().inject("GET", ".*/leases/lms-rollback-production", 403, 5);

      Cli.Run run = switchTraffic(kubeconfig);

      assertEquals(3, run.exit(), run.out() + run.err());
      assertTrue(run.err().contains("cannot take lease production/lms-rollback-production"), run.err());
      assertTrue(new Journal(out, "t").read().stream().anyMatch(e -> e.type().equals("verb.failed")), "the failure is journaled");
    }
  }
}
