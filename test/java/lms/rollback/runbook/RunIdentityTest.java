package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run is what its start says: a later call that names another requester, scenario or trigger is refused with a
 * sentence, and the gate judges approvals against the requester the run started with, whatever a call says.
 */
class RunIdentityTest {

  @TempDir Path out;

  private List<String> rollback(Path kubeconfig, String scenario, String requestedBy) {
    return new ArrayList<>(List.of("rollback", "--scenario", scenario, "--env", Sandbox.ENV, "--trigger", "MAN-001", "--kubeconfig",
        kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", requestedBy, "--requested-by",
        requestedBy, "--reason", "login broken for everyone since 02:10"));
  }

  private static Cli.Run lmsctl(List<String> args) {
    return Cli.lmsctl(args.toArray(String[]::new));
  }

  private long starts() {
    return new Journal(out, "reader").read().stream().filter(e -> e.is(Event.SCENARIO_START)).count();
  }

  @Test
  void theRequestersOwnApprovalNeverCountsWhateverALaterCallSays() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // Given dev.smith, a Release Commander, approving before any run started, naming someone else as the requester
      Cli.Run early = lmsctl(List.of("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "dev.smith", "--groups",
          "lms-release-commanders", "--requested-by", "someone.else", "--reason", "roll back now, it is broken", "--env", Sandbox.ENV,
          "--out-dir", out.toString()));
      // When dev.smith requests the rollback, and then calls it again as if rc.jones had requested it
      Cli.Run requested = lmsctl(rollback(kubeconfig, "A", "dev.smith"));
      Cli.Run resumedAsOther = lmsctl(rollback(kubeconfig, "A", "rc.jones"));

      // Then dev.smith's own approval does not let the run through, the second call is refused, and nothing moved
      assertEquals(0, early.exit(), early.out() + early.err());
      assertEquals(5, requested.exit(), requested.out() + requested.err());
      assertTrue(requested.out().contains("waiting for Release Commander"), requested.out());
      assertEquals(2, resumedAsOther.exit(), resumedAsOther.out() + resumedAsOther.err());
      assertTrue(resumedAsOther.err().contains("--requested-by rc.jones (the run was requested by dev.smith, who may not approve it)"),
          resumedAsOther.err());
      assertTrue(resumedAsOther.err().contains("Nothing was changed"), resumedAsOther.err());
      assertEquals(1, starts(), "the refused call starts no run of its own");
      assertTrue(!RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "traffic still on Green");

      // And rc.jones's approval of dev.smith's run lets the same run go on to its end
      Cli.Run approved = lmsctl(List.of("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "rc.jones", "--groups",
          "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "confirmed on the dashboard", "--env", Sandbox.ENV,
          "--out-dir", out.toString()));
      Cli.Run resumed = lmsctl(rollback(kubeconfig, "A", "dev.smith"));
      assertEquals(0, approved.exit(), approved.out() + approved.err());
      assertEquals(0, resumed.exit(), resumed.out() + resumed.err());
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "traffic on Blue");
      assertEquals(1, starts());
    }
  }

  @Test
  void anotherScenarioOnAnUnfinishedRunIsRefusedNotStartedBesideIt() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // Given a scenario A run waiting for its Release Commander
      assertEquals(5, lmsctl(rollback(kubeconfig, "A", "dev.smith")).exit());

      // When the same journal is asked for scenario B
      Cli.Run other = lmsctl(rollback(kubeconfig, "B", "dev.smith"));

      // Then it is refused, naming the run and how to continue it, and no second run starts
      assertEquals(2, other.exit(), other.out() + other.err());
      assertTrue(other.err().contains("--scenario B (the run is A)"), other.err());
      assertTrue(other.err().contains("Continue it with --scenario A --env " + Sandbox.ENV + " --trigger MAN-001 --requested-by dev.smith"), other.err());
      assertEquals(1, starts());
    }
  }
}
