package lms.rollback.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.ExitCode;
import lms.rollback.plan.Environment;
import lms.rollback.runbook.RollbackRun;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.trigger.Evaluation;
import lms.rollback.trigger.TriggerEvaluator;
import lms.rollback.trigger.TriggerWatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "watch", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Watch the automatic triggers and roll back when one holds (runbook §2.1, §2.2).",
        "",
        "Every --interval, evaluates each measurable trigger against Prometheus: AUTO-001 error rate > 5 %% sustained for 5 minutes, AUTO-002 0 %% success for 2 minutes, AUTO-003 100 %% database connection failures, AUTO-004 a firing critical security alert, and MAN-001 (1-5 %% sustained) and MAN-002 (p95 > 2x baseline). Sustained means every sample of the window holds, read back with a range query, so restarting the watch does not reset the clock; missing data never makes a trigger hold.",
        "",
        "An AUTO trigger that holds starts the rollback at once, with no approval (§2.1 \"Alert + Auto-rollback\"): the same engine run as 'lmsctl rollback --scenario S --trigger ID' — preflight, the §6.1 alert, the switch, Blue's verification, Green's shutdown, the report — journals the trigger with its evidence and exits 10. A run of the environment that only waits for its decision (nothing changed yet) does not hold it up: the automatic run takes the environment over and that run ends as superseded (§3.2: the automatic branch is immediate); a run that is mid-step is never interrupted: the war room and the on-call are told who holds the environment and what to do, once, and the watch tries again each round.",
        "",
        "A MAN trigger that holds does not switch: the watch alerts its authority once (the war room, and the deciding role's addresses of §3.3, with the evidence and the decision window), escalates once to the next role when it goes on holding past its decision time, and goes on watching — an AUTO threshold reached later still rolls back on its own. --dry-run evaluates and reports only. The watch ends with a rollback, or after --for."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  no trigger held for the whole --for", "  10 an automatic trigger held: the rollback ran to its end (on --dry-run: would have)",
        "  2, 3, 4, 5  an automatic trigger held but the rollback was refused or stopped (see 'rollback' in the JSON, and its report): a preflight check failed, Blue not ready, verification failed, …",
        "  11 a manual trigger held during the watch and no rollback ran: a decision is needed (see the recommendation)", "", "Example:",
        "  lmsctl watch --env production --for 4h --interval 10s", ""})
final class WatchCommand extends ClusterVerb {

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
      description = "How often to evaluate. Default: ${DEFAULT-VALUE} (Flagger's analysis interval is 60s).")
  Duration interval;

  @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long to watch. Default: the first capability window of §1.2 (0-4 h after the deploy).")
  Duration duration;

  @Mixin ProbeOptions probeOptions;

  /** For a --scenario with a database step (C): where alembic runs; the URL comes from the environment, as for 'rollback'. */
  @Mixin DatabaseOptions database;

  @Option(names = "--dry-run", description = "Evaluate and report; roll nothing back.")
  boolean dryRun;

  @Option(names = "--scenario", paramLabel = "A|B|C|D", defaultValue = "B",
      description = "The scenario an automatic trigger runs (§5). Default: ${DEFAULT-VALUE}, traffic switch + Green shutdown.")
  String scenario;

  @Override
  boolean mutates() {
    // the lease is taken only for the switch, not for hours of watching
    return false;
  }

  /** When Green was deployed (MAN-002's baseline is Blue's latency before it), or null when that cannot be told. */
  private static java.time.Instant greenDeployedAt(ClusterSession cluster, Environment env) {
    try {
      return lms.rollback.cluster.ClusterStatus.deployedAt(cluster.deployment(env.namespace(), env.green().deployment()));
    } catch (RuntimeException e) {
      cluster.progress().say("  Green's deployment time cannot be told (" + e.getMessage() + "): MAN-002 compares with the plan's baseline");
      return null;
    }
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    // a database scenario's URL is checked now, not hours later when a trigger holds
    run(cluster).requireDatabase(scenario, plan.environmentName());
    var p = plan.plan();
    Duration forHow = duration != null ? duration : p.capabilityWindows().get(0).to().limit();
    var client = probeOptions.prometheus(p, env);
    TriggerEvaluator evaluator = new TriggerEvaluator(p.verification(), client).releasedAt(greenDeployedAt(cluster, env))
        .routedToGreen(() -> lms.rollback.cluster.RouteTable.of(cluster.virtualService(env), env).maxGreenShare());
    TriggerWatch watch = new TriggerWatch(p, evaluator, cluster.journal(), cluster.progress(), Clock.systemUTC());
    cluster.progress().say("watching " + watch.measurable().size() + " triggers of '" + plan.environmentName() + "' every " + interval.toSeconds()
        + "s for " + lms.rollback.plan.Budget.format(forHow) + (dryRun ? " (dry run)" : ""));
    p.scenario(scenario);
    int[] runExit = {ExitCode.ROLLED_BACK};
    Map<String, Object> rollback = new LinkedHashMap<>();
    List<String> steps = new ArrayList<>();
    java.util.Set<String> alertedAuto = new java.util.HashSet<>();
    TriggerWatch.Result r = watch.watch(plan.environmentName(), env, interval, forHow, dryRun, e -> {
      // the alert goes out once per trigger, not again at each attempt while the environment is held
      List<String> alerts = new ArrayList<>(alertedAuto.add(e.trigger()) ? alert(cluster, "auto-trigger") : List.of());
      RollbackRun.Outcome o;
      try {
        o = rollBack(cluster, env, e);
      } catch (lms.rollback.cluster.EnvironmentLease.HeldException held) {
        throw new TriggerWatch.Blocked(held.getMessage());
      }
      if (o.exitCode() != ExitCode.OK) runExit[0] = o.exitCode();
      var state = o.result().status();
      if (state != lms.rollback.runbook.RunStateMachine.Status.COMPLETED && state != lms.rollback.runbook.RunStateMachine.Status.ALREADY_DONE) {
        alerts.addAll(alert(cluster, "auto-not-completed"));
      }
      rollback.put("alerts", alerts);
      // how the run ended, for whoever reads the watch's answer (Jenkins fails the build with it)
      rollback.put("scenario", scenario);
      rollback.put("state", o.result().status().key());
      if (o.result().reason() != null) rollback.put("reason", o.result().reason());
      rollback.put("exitCode", o.exitCode());
      rollback.put("reports", o.reports().stream().map(Object::toString).toList());
      o.result().steps().forEach(step -> steps.add(lms.rollback.runbook.StepRunner.line(step)));
      if (o.result().started()) steps.add(String.format("  machine time %s against the scenario's target of %s",
          lms.rollback.runbook.StepRunner.seconds(o.result().total()), o.result().target() == null ? "?" : lms.rollback.plan.Budget.format(o.result().target())));
      o.reports().forEach(f -> steps.add("  report: " + f));
      return o.result().status().key() + (o.result().reason() == null ? "" : ": " + o.result().reason());
    }, new TriggerWatch.Alerts() {
      @Override
      public void manual(Map<String, Object> recommendation, boolean escalated) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> levels = (List<Map<String, Object>>) ((Map<String, Object>) recommendation.get("gate")).get("levels");
        // the deciding role (the next one once it is overdue), by the plan's §3.3 contacts
        Map<String, Object> level = levels.get(escalated && levels.size() > 1 ? 1 : 0);
        alertAuthority(cluster, escalated ? "manual-trigger-overdue" : "manual-trigger", String.valueOf(level.get("role")));
      }

      @Override
      public void blocked(lms.rollback.trigger.Evaluation held, String why) {
        alert(cluster, "auto-blocked");
      }
    });
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("outcome", r.outcome().name());
    data.put("rounds", r.rounds());
    if (r.evidence() != null) data.put("evidence", r.evidence().asData());
    if (r.recommendation() != null) data.put("recommendation", r.recommendation());
    if (!rollback.isEmpty()) data.put("rollback", rollback);
    List<String> text = new ArrayList<>();
    switch (r.outcome()) {
      case rolled_back -> text.add(r.evidence().trigger() + " held (" + r.evidence().detail() + "): scenario " + scenario + " ran"
          + (runExit[0] == ExitCode.ROLLED_BACK ? " to its end" : " and STOPPED (exit " + runExit[0] + ": " + rollback.get("state")
          + (rollback.containsKey("reason") ? ", " + rollback.get("reason") : "") + "); see its report"));
      case would_roll_back -> text.add(r.evidence().trigger() + " holds (" + r.evidence().detail() + "): would roll back with scenario " + scenario + " (dry run)");
      case recommendation -> text.add(r.evidence().trigger() + " holds (" + r.evidence().detail() + "): a rollback is recommended; "
          + new lms.rollback.gate.Authority(p).gateFor(r.evidence().trigger(), null).levels().get(0).title() + " must decide");
      case quiet -> text.add("no trigger held in " + r.rounds() + " evaluations");
    }
    text.addAll(steps);
    int code = switch (r.outcome()) {
      case rolled_back -> runExit[0];
      case would_roll_back -> ExitCode.ROLLED_BACK;
      case recommendation -> ExitCode.DECISION_NEEDED;
      case quiet -> ExitCode.OK;
    };
    return new Outcome(code, data, text);
  }

  /**
   * §2.1 "Alert + Auto-rollback", from the watch itself: before the rollback (the war room, the on-call), and when it
   * did not complete (why, and who must act). Returns "message: status" for each.
   */
  private List<String> alert(ClusterSession cluster, String event) {
    var notifier = lms.rollback.notify.Notifier.defaults(plan.plan(), cluster.journal(), cluster.progress());
    List<String> sent = new ArrayList<>();
    for (var d : new lms.rollback.notify.CommunicationSchedule(plan.plan(), notifier).after(event)) {
      cluster.progress().say("  message " + d.message() + " on " + d.channel() + ": " + d.status() + (d.detail() == null ? "" : " (" + d.detail() + ")"));
      sent.add(d.message() + ": " + d.status());
    }
    return sent;
  }

  /**
   * §3.2 "Alert Release Commander": each message the plan sends after {@code event}; an email without a role of its own
   * goes to the deciding {@code role}'s addresses (§3.3).
   */
  private void alertAuthority(ClusterSession cluster, String event, String role) {
    var p = plan.plan();
    var notifier = lms.rollback.notify.Notifier.defaults(p, cluster.journal(), cluster.progress());
    List<String> to = p.roles().containsKey(role) ? p.roles().get(role).email() : List.of();
    for (var c : p.communications()) {
      if (!c.after().equals(event)) continue;
      boolean email = p.channels().get(c.channel()).kind() == lms.rollback.plan.RunbookTables.ChannelKind.email;
      var d = email && c.to() == null ? notifier.deliver(notifier.render(c.message()), to) : notifier.send(c.message(), false);
      cluster.progress().say("  message " + d.message() + " on " + d.channel() + ": " + d.status() + (d.detail() == null ? "" : " (" + d.detail() + ")"));
    }
  }

  /** The run a held trigger starts, as 'rollback' assembles it: the same database side from the same options. */
  private RollbackRun run(ClusterSession cluster) {
    return new RollbackRun(plan.plan(), cluster, output.outDir(), System.getenv(), cluster.progress()).database(database.source());
  }

  /** The trigger that held starts the one rollback run, as any other rollback: no approval for an automatic trigger. */
  private RollbackRun.Outcome rollBack(ClusterSession cluster, Environment env, Evaluation held) {
    RollbackRun run = run(cluster);
    RollbackSteps.Probes probes = probeOptions.probes(plan.plan(), cluster, env);
    if (probes != null) run.probes(probes);
    return run.advance(new RollbackRun.Request(scenario, plan.environmentName(), held.trigger(), "lmsctl watch", held.trigger() + " held: "
        + held.detail(), false, null, null, clusterOptions.leaseHolder(output.actor()) + " (lmsctl watch)", clusterOptions.lockWait(), null));
  }
}
