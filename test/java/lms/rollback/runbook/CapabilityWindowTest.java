package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ClusterStatus;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §1.2 decides: 4–24 h after the release a person reviews Green's data; 24 h+ a switch-only rollback is refused. */
class CapabilityWindowTest {

  @TempDir Path out;

  private Cli.Run rollback(Path kubeconfig, String scenario, String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", scenario, "--env", Sandbox.ENV, "--trigger", "AUTO-001",
        "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "ops.oncall"));
    args.addAll(List.of(more));
    lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001"); // AUTO-001 named on --cluster-only is not measured: a manual request
    return Cli.lmsctl(args.toArray(String[]::new));
  }

  private static Path greenDeployedAgo(Sandbox sandbox, Duration age, Path out) throws Exception {
    sandbox.store().apps().deployments().inNamespace(sandbox.env.namespace()).withName(sandbox.env.green().deployment())
        .edit(d -> {
          d.getMetadata().getAnnotations().put(ClusterStatus.DEPLOYED_AT, Instant.now().minus(age).toString());
          return d;
        });
    return sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
  }

  private static boolean onBlue(Sandbox sandbox) {
    return RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env);
  }

  @Test
  void thirtyHoursAfterTheReleaseASwitchOnlyRollbackIsRefusedAndPointsAtTheRestore() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = greenDeployedAgo(sandbox, Duration.ofHours(30), out);

      Cli.Run run = rollback(kubeconfig, "A");

      assertEquals(3, run.exit(), run.out() + run.err());
      String said = run.out() + run.err();
      assertTrue(said.contains("Green was deployed 30h") && said.contains("24h+ needs Full redeployment + data migration"), said);
      assertTrue(said.contains("lmsctl restore") && said.contains("--capability-override"), said);
      assertFalse(onBlue(sandbox), "traffic did not move");
      assertFalse(sandbox.journalTypes().contains("step.start"));
    }
  }

  @Test
  void aPersonsOverrideWithAReasonLetsTheSwitchRunAndTheReportSaysSo() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = greenDeployedAgo(sandbox, Duration.ofHours(30), out);

      Cli.Run run = rollback(kubeconfig, "A", "--capability-override", "Green wrote nothing: the release was read-only", "--requested-by", "lead.kim");

      assertEquals(0, run.exit(), run.out() + run.err());
      assertTrue(onBlue(sandbox));
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("Capability window (§1.2) | Green deployed 30h")
          && report.contains("overridden by lead.kim: Green wrote nothing: the release was read-only"), report);
    }
  }

  @Test
  void sixHoursAfterTheReleaseTheRunWaitsForTheDataReviewAfterBlueIsServingThenFinishes() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = greenDeployedAgo(sandbox, Duration.ofHours(6), out);

      // When: the urgent part runs, then the run waits for a person's review before Green goes and before "confirm"
      Cli.Run first = rollback(kubeconfig, "B");

      assertEquals(5, first.exit(), first.out() + first.err());
      assertTrue(first.out().contains("WAITING before data-review: DATA REVIEW NEEDED (§1.2): Green served for 6h"), first.out());
      assertTrue(first.out().contains("lmsctl audit record --type data-review.done"), first.out());
      assertTrue(onBlue(sandbox), "traffic is back on Blue while the data is reviewed");
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is kept until the review");

      // a review that does not say what was checked is refused
      assertEquals(2, Cli.lmsctl("audit", "record", "--type", "data-review.done", "--actor", "dba.kim", "--out-dir", out.toString()).exit());
      assertEquals(0, Cli.lmsctl("audit", "record", "--type", "data-review.done", "--actor", "dba.kim", "--field",
          "reviewed=leave requests created since the release match Blue's schema", "--out-dir", out.toString()).exit());
      Cli.Run second = rollback(kubeconfig, "B");

      // Then the same command finishes the run; the review is a step of it, with who and what
      assertEquals(0, second.exit(), second.out() + second.err());
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("Review data written by Green") && report.contains("reviewed by dba.kim: leave requests created since the release"), report);
      assertTrue(report.contains("4h-24h → Traffic switch + data review"), report);
      long starts = new Journal(out, "t").read().stream().filter(e -> e.type().equals("scenario.start")).count();
      assertEquals(1, starts, "one run, resumed");
    }
  }
}
