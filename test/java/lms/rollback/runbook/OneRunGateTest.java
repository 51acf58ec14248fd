package lms.rollback.runbook;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine is the only place a rollback runs, and its gate decides: a MAN/BUS trigger never rolls
 * back undecided, from a terminal or anywhere else; the report names who decided.
 */
class OneRunGateTest {

  @TempDir Path out;

  private List<String> rollback(Path kubeconfig, String scenario, String trigger, String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", scenario, "--env", Sandbox.ENV, "--trigger", trigger, "--kubeconfig",
        kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith", "--reason",
        "login broken for everyone since 02:10"));
    args.addAll(List.of(more));
    return args;
  }

  private static Cli.Run lmsctl(List<String> args) {
    return Cli.lmsctl(args.toArray(String[]::new));
  }

  private static boolean onGreen(Sandbox sandbox) {
    return !RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env);
  }

  @Test
  void aRunRetriedAfterARefusedPreflightOpensItsGateOnceAndReturns() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      var blue = sandbox.cluster.startLms(sandbox.env);
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p", "LMS_SMOKE_TOKEN",
          lms.rollback.sandbox.LmsStandIn.TOKEN);
      List<String> probes = List.of("--base-url", blue.url(), "--window", "90s");
      List<String> args = new ArrayList<>(rollback(kubeconfig, "B", "MAN-001", "--prometheus", sandbox.cluster.metrics().url()));
      args.remove("--cluster-only");
      args.addAll(probes);
      // (Prometheus down no longer refuses: the run may switch, unverified — #36; missing smoke credentials still do)
      Map<String, String> noSmokeCredentials = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());

      // Given a gate opened (exit 5), then the same command refused by its preflight (the smoke tests' credentials unset, exit 2)
      assertEquals(5, LmsctlProcess.run(env, args.toArray(String[]::new)).exit());
      assertEquals(2, LmsctlProcess.run(noSmokeCredentials, args.toArray(String[]::new)).exit());
      int notices = warRoom.bodies.size();

      // When the same command runs again
      Cli.Run again = LmsctlProcess.run(env, args.toArray(String[]::new));

      // Then it opens this run's gate once, tells the deciders once, and returns
      assertEquals(5, again.exit(), again.out() + again.err());
      assertEquals(notices + 1, warRoom.bodies.size(), warRoom.bodies.toString());
      long opened = new Journal(out, "reader").read().stream().filter(e -> e.type().equals("gate.opened")).count();
      assertEquals(2, opened, "one prompt per run");
      assertTrue(onGreen(sandbox));
    }
  }

  @Test
  void authorityLoweredInThePlanBetweenTwoCallsDecidesNothingAndResumesNothing() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      String yaml;
      try (var in = lms.rollback.plan.PlanLoader.class.getClassLoader().getResourceAsStream(lms.rollback.plan.PlanLoader.DEFAULT_RESOURCE)) {
        yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      Path plan = out.resolve("plan.yaml");
      Files.writeString(plan, yaml);
      // Given a MAN-001 run waiting for the Release Commander under the plan as it is
      assertEquals(5, lmsctl(rollback(kubeconfig, "A", "MAN-001", "--plan", plan.toString())).exit());

      // When the plan is edited between two calls to make developers Release Commanders
      Files.writeString(plan, yaml.replace("jenkins: [lms-release-commanders]", "jenkins: [lms-release-commanders, lms-developers]"));
      Cli.Run approve = lmsctl(List.of("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "dev.jane", "--groups", "lms-developers",
          "--requested-by", "dev.smith", "--reason", "looks broken to me", "--plan", plan.toString(), "--env", Sandbox.ENV, "--out-dir", out.toString()));
      Cli.Run resumed = lmsctl(rollback(kubeconfig, "A", "MAN-001", "--plan", plan.toString()));

      // Then the developer's approval is refused, and the run does not go on under the edited plan
      assertEquals(2, approve.exit(), approve.out() + approve.err());
      assertTrue(approve.err().contains("--plan: the plan's authority differs from the one this run of MAN-001 started under"), approve.err());
      assertEquals(2, resumed.exit(), resumed.out() + resumed.err());
      assertTrue(resumed.err().contains("a run is governed by the plan it started with"), resumed.err());
      assertTrue(onGreen(sandbox), "traffic did not move");
      assertFalse(sandbox.journalTypes().contains(Event.GATE_DECISION.key()), sandbox.journalTypes().toString());
    }
  }

  @Test
  void aManualTriggerWithoutADecisionIsRefusedBeforeAnythingChanges() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      Cli.Run run = lmsctl(rollback(kubeconfig, "A", "MAN-003"));

      assertEquals(5, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("DECISION NEEDED: waiting for Release Commander (lms-release-commanders)"), run.out());
      assertTrue(run.out().contains("lmsctl gate record --trigger MAN-003 --level 0 --decision approve --by \"$USER\" --groups lms-release-commanders"), run.out());
      assertTrue(onGreen(sandbox), "traffic did not move");
      List<String> types = sandbox.journalTypes();
      assertTrue(types.contains("gate.opened") && types.contains("scenario.awaiting"), types.toString());
      assertFalse(types.contains("step.start") || types.contains("scenario.decided") || types.contains("announce"), types.toString());
      // the deciders were told; the §6.1 "rollback initiated" was not sent, for nothing was initiated
      assertTrue(types.contains("gate.notified"));
      assertFalse(Files.readString(out.resolve(Journal.FILE_NAME)).contains("rollback-initiated"));
    }
  }

  @Test
  void theAuthoritysDecisionLetsTheSameCommandRunAndTheReportNamesTheApprover() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      assertEquals(5, lmsctl(rollback(kubeconfig, "A", "MAN-003")).exit());

      Cli.Run decided = Cli.lmsctl("gate", "record", "--trigger", "MAN-003", "--decision", "approve", "--by", "rc.jones", "--groups",
          "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "confirmed: nobody can log in", "--out-dir", out.toString(),
          "--actor", "ops.terminal");
      Cli.Run run = lmsctl(rollback(kubeconfig, "A", "MAN-003"));

      assertEquals(0, decided.exit(), decided.err());
      assertTrue(decided.out().contains("gate: approved by rc.jones (Release Commander)"), decided.out());
      assertEquals(0, run.exit(), run.out() + run.err());
      assertFalse(onGreen(sandbox));
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("Decision maker: approve by rc.jones (Release Commander, level 0), asserted by ops.terminal"), report);
      assertFalse(report.contains("System (auto-triggered)"), report);
    }
  }

  @Test
  void theRequestersOwnApprovalNeverCounts() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      Cli.Run self = Cli.lmsctl("gate", "record", "--trigger", "MAN-003", "--decision", "approve", "--by", " DEV.Smith", "--groups",
          "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "I am sure, let me through", "--out-dir", out.toString());
      Cli.Run run = lmsctl(rollback(kubeconfig, "A", "MAN-003"));

      assertEquals(5, self.exit(), self.out());
      assertTrue(self.err().contains("requested this rollback and may not also approve it"), self.err());
      assertEquals(5, run.exit(), run.out());
      assertTrue(onGreen(sandbox));
    }
  }

  @Test
  void scenarioCAsksTheTwoPersonAuthorizationBeforeTrafficMovesAndTheReportNamesBothApprovers() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_DATABASE_URL", "postgresql://lms@127.0.0.1:1/lms");
      List<String> c = rollback(kubeconfig, "C", "MAN-004", "--through", "decision", "--executor", "local", "--migrations",
          lms.rollback.testing.PostgresServer.SAMPLE_MIGRATIONS.toString());
      assertEquals(5, LmsctlProcess.run(env, c.toArray(String[]::new)).exit());
      record("MAN-004", "rc.jones", "lms-release-commanders", false);

      Cli.Run waiting = LmsctlProcess.run(env, c.toArray(String[]::new));

      assertEquals(5, waiting.exit(), waiting.out() + waiting.err());
      assertTrue(waiting.out().contains("waiting for DBA and Release Commander"), waiting.out());
      assertTrue(onGreen(sandbox), "the database authorization is asked before the first change");

      record("MAN-004", "dba.lee", "lms-dbas", true);
      record("MAN-004", "rc.jones", "lms-release-commanders", true);
      Cli.Run decided = LmsctlProcess.run(env, c.toArray(String[]::new));

      assertEquals(0, decided.exit(), decided.out() + decided.err());
      List<Journal.Entry> journal = new Journal(out, "t").read();
      Journal.Entry decision = journal.stream().filter(e -> e.type().equals("scenario.decided")).findFirst().orElseThrow();
      List<String> approvers = new ArrayList<>();
      decision.data().path("gate").path("approvals").forEach(a -> approvers.add(a.path("by").asText() + (a.path("database").asBoolean() ? "/db" : "")));
      assertEquals(List.of("rc.jones", "dba.lee/db", "rc.jones/db"), approvers);
    }
  }

  private void record(String trigger, String by, String group, boolean database) {
    List<String> args = new ArrayList<>(List.of("gate", "record", "--trigger", trigger, "--decision", "approve", "--by", by, "--groups", group,
        "--requested-by", "dev.smith", "--reason", "orphaned leave requests since 02:10", "--out-dir", out.toString()));
    if (database) args.add("--database");
    Cli.Run r = Cli.lmsctl(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
  }

  @Test
  void aRejectedRollbackChangesNothingAndTheWarRoomHearsItDidNotStart() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      String[] args = rollback(kubeconfig, "B", "MAN-001").toArray(String[]::new);
      assertEquals(5, LmsctlProcess.run(env, args).exit());
      Cli.Run rejected = Cli.lmsctl("gate", "record", "--trigger", "MAN-001", "--decision", "reject", "--by", "rc.jones", "--groups",
          "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "error rate is already falling", "--out-dir", out.toString());

      Cli.Run run = LmsctlProcess.run(env, args);

      assertEquals(0, rejected.exit(), rejected.err());
      assertEquals(5, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("NOT STARTED: rejected by rc.jones (Release Commander); nothing was changed"), run.out());
      assertTrue(onGreen(sandbox));
      List<String> said = warRoom.bodies;
      assertTrue(said.stream().anyMatch(b -> b.contains("ROLLBACK NOT STARTED")), said.toString());
      assertFalse(said.stream().anyMatch(b -> b.contains("ROLLBACK COMPLETE") || b.contains("ROLLBACK INITIATED")), said.toString());
      assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("**Outcome:** NOT STARTED, not authorized: rejected by rc.jones"));
    }
  }

  @Test
  void aDryRunOpensNoPromptSendsNothingAndChangesNothing() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url()), rollback(kubeconfig, "B", "MAN-001", "--dry-run")
          .toArray(String[]::new));

      assertEquals(0, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("would ask level 0: Release Commander (lms-release-commanders) within 5m"), run.out());
      assertTrue(run.out().contains("would run Scale down Green"), run.out());
      // only the messages this scenario sends: no watch alert, no escalation of scenario D, "not started" only if rejected
      assertTrue(run.out().contains("would send traffic-switched after switch-traffic on war-room"), run.out());
      assertTrue(run.out().contains("would send rollback-not-started after rejected on war-room (if rejected)"), run.out());
      assertFalse(run.out().contains("trigger-alert") || run.out().contains("executive-escalation"), run.out());
      assertTrue(warRoom.bodies.isEmpty(), warRoom.bodies.toString());
      assertTrue(onGreen(sandbox));
      assertFalse(sandbox.journalTypes().contains("gate.opened"));
    }
  }

  @Test
  void scenarioDWithoutABackupIsRefusedBeforeTheGateAndBeforeAnyMessage() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_DATABASE_URL", "postgresql://lms@127.0.0.1:1/lms"),
          rollback(kubeconfig, "D", "BUS-004").toArray(String[]::new));

      assertEquals(2, run.exit(), run.out() + run.err());
      assertTrue(run.out().contains("the preflight refused: Backup to restore: --dump"), run.out());
      assertFalse(sandbox.journalTypes().contains("gate.opened"));
      assertTrue(warRoom.bodies.isEmpty(), warRoom.bodies.toString());
    }
  }

  @Test
  void aRunIsNeverResumedFromAJournalThatWasEditedOrForged() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001"); // named on --cluster-only: a manual request
      assertEquals(0, lmsctl(rollback(kubeconfig, "B", "AUTO-001", "--through", "switch-traffic")).exit());

      // a forged step.end cannot be written through lmsctl
      Cli.Run forged = Cli.lmsctl("audit", "record", "--type", "step.end", "--field", "action=verify-blue", "--field", "ok=true",
          "--out-dir", out.toString());
      // and a hand edit breaks the chain, which resuming checks first
      Path file = out.resolve(Journal.FILE_NAME);
      Files.writeString(file, Files.readString(file).replaceFirst("\"action\":\"announce\"", "\"action\":\"announce \""));
      Cli.Run resumed = lmsctl(rollback(kubeconfig, "B", "AUTO-001"));

      assertEquals(2, forged.exit(), forged.err());
      assertTrue(forged.err().contains("reserved for lmsctl's own entries"), forged.err());
      assertEquals(4, resumed.exit(), resumed.out() + resumed.err());
      assertTrue(resumed.err().contains("is broken") && resumed.err().contains("the run is not resumed"), resumed.err());
      assertEquals(3, sandbox.pods(sandbox.env.green().podLabels()), "Green was not touched");
    }
  }

  @Test
  void blueFallingOverBetweenTwoCallsStopsTheRunBeforeGreenIsTouched() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001"); // named on --cluster-only: a manual request
      assertEquals(0, lmsctl(rollback(kubeconfig, "B", "AUTO-001", "--through", "verify-blue")).exit());
      // Blue loses every ready replica after it was verified
      String ns = sandbox.env.namespace();
      sandbox.store().apps().deployments().inNamespace(ns).withName(sandbox.env.blue().deployment()).edit(d -> {
        d.getMetadata().setAnnotations(new java.util.HashMap<>(d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations()));
        d.getMetadata().getAnnotations().put(lms.rollback.sandbox.StandInController.READY_LIMIT, "0");
        return d;
      });
      sandbox.store().pods().inNamespace(ns).withLabels(sandbox.env.blue().podLabels()).delete();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (lms.rollback.cluster.ClusterSession.readyReplicas(sandbox.deployment(sandbox.env.blue().deployment())) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }

      Cli.Run next = lmsctl(rollback(kubeconfig, "B", "AUTO-001"));

      assertTrue(next.exit() != 0, next.out() + next.err());
      assertTrue(next.out().contains("STOPPED at verify-blue"), next.out());
      assertEquals(3, sandbox.pods(sandbox.env.green().podLabels()), "Green, the only thing that can serve, was left running");
    }
  }
}
