package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import lms.rollback.runbook.OutDirLock;
import lms.rollback.runbook.RollbackRun;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.RunStateMachine;
import lms.rollback.runbook.StepRunner;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Advances the one rollback run of a scenario of §5 (see {@link RollbackRun}): options in, one
 * engine call, what it did out. Jenkins' Preflight calls it with --through decision; one more call then carries the
 * run to its end while the stages follow the step files it writes.
 */
abstract class ScenarioVerb extends Verb {

  @Mixin ClusterOptions clusterOptions;

  @Option(names = "--trigger", required = true, paramLabel = "ID", description = "The trigger of §2 this rollback answers (AUTO-001, MAN-004, …).")
  String trigger;

  @Option(names = "--requested-by", paramLabel = "USER", description = "Who asked for the rollback; may not approve it. Default: --actor.")
  String requestedBy;

  @Option(names = "--reason", paramLabel = "TEXT", description = "What is happening, in a sentence: told to the deciders and journaled; at most " + MAX_REASON_CHARS
      + " characters (longer: refused, exit 2). Default: none.")
  String reason;

  /** The reason travels in every notice of the run's gate, as a decision's does. */
  static final int MAX_REASON_CHARS = lms.rollback.gate.DecisionRecorder.MAX_REASON_CHARS;

  @Override
  int maxChars(String option) {
    return option.equals("--reason") ? MAX_REASON_CHARS : super.maxChars(option);
  }

  @Option(names = "--through", paramLabel = "STEP",
      description = "Pause after this point: preflight, decision, or a step of the scenario (e.g. switch-traffic); run the command again, with another --through or none, to go on. The environment's lease stays with the run meanwhile.")
  String through;

  @Option(names = "--continue-from", paramLabel = "DIR",
      description = "A folder of earlier builds' folders (Jenkins: lms-rollback): when --out-dir has no journal yet and the newest run there on this environment is this scenario and trigger, unfinished (its build was killed or lost), its journal is carried over and the same run continues: its decision still counts, no message is sent twice. Only while that run was last active within the plan's gate.continueWithin (default 30m), and only for the same request (scenario, trigger, requester): otherwise it is closed as abandoned there (its report written, the war room told) and this request is decided afresh. Default: none.")
  Path continueFrom;

  private lms.rollback.runbook.RunContinuation.CarriedOver carried;

  @Override
  void beforeJournal() {
    // a build's answers are proven by its key: without one, nothing waits for them (refused before anything is written)
    if (decisionsFrom != null) lms.rollback.gate.DecisionInbox.requireKey(System.getenv(lms.rollback.gate.DecisionInbox.KEY_VARIABLE));
    if (continueFrom == null || dryRun) return;
    String name = scenarioName();
    var call = new lms.rollback.runbook.Resumption.Call(name, plan.environmentName(), trigger, requester());
    // an earlier build's unfinished run that this request may not continue (too old, or another request) is closed first
    var stale = lms.rollback.runbook.RunContinuation.stale(continueFrom, output.outDir(), call, plan.plan().scenario(name),
        plan.plan().gate().continueWithin().limit(), java.time.Instant.now());
    if (stale != null && interrupted == null) {
      lms.rollback.runbook.RollbackRun.abandon(plan.plan(), stale.folder(), output.actor(), System.getenv(), Progress.stderr(), stale.why());
    }
    carried = lms.rollback.runbook.RunContinuation.carryOver(continueFrom, output.outDir(), call, plan.plan().scenario(name));
  }

  @Option(names = "--wait", description = "Wait here for the decision (its notices, reminders and escalation), instead of ending at an open prompt with exit 5.")
  boolean waitForDecision;

  @Option(names = "--decisions-from", paramLabel = "DIR",
      description = "Wait here for the decision (as --wait) and take the answers a Jenkins build's input prompts leave in DIR, each proven by the build's key in $LMS_DECISIONS_KEY; the gate's state is kept in DIR/gate.json for the build to follow. lmsRollback uses it, so the deciding click reaches the switch with no process start in between. Default: none.")
  Path decisionsFrom;

  @Option(names = "--incident", paramLabel = "ID", defaultValue = "${env:LMS_INCIDENT_ID}",
      description = "The incident this rollback answers (e.g. INC-2041): journaled, in the report's header. Default: $LMS_INCIDENT_ID; may also be recorded later with 'lmsctl report --incident'.")
  String incident;

  @Option(names = "--deployment", paramLabel = "ID", defaultValue = "${env:LMS_DEPLOYMENT_ID}",
      description = "The deployment being rolled back (e.g. DEP-877): journaled, in the report's header. Default: $LMS_DEPLOYMENT_ID.")
  String deployment;

  @Option(names = "--interrupted", paramLabel = "WHY",
      description = "The run's driver stopped it mid-way (Jenkins: the build was aborted, its agent or lmsctl lost): journal where the run stopped and why, write its report, and tell the war room how it continues. Changes nothing in the cluster; the run stays unfinished and the same command without this option continues it. Nothing is recorded for a run that ended or that the engine stopped itself. A process still running with the same --out-dir (the engine, ending) is waited for up to --lock-wait, never refused at once. Default: none.")
  String interrupted;

  @Option(names = "--dry-run", description = "Change nothing, open no prompt, send nothing: show the preflight's checks, who would be asked to decide, and the steps that would run.")
  boolean dryRun;

  @Option(names = "--build-url", paramLabel = "URL", defaultValue = "${env:BUILD_URL}",
      description = "The Jenkins build whose input page the deciders' notices link to. Default: $BUILD_URL; without it they say how to decide with 'lmsctl gate record'.")
  String buildUrl;

  @Option(names = "--capability-override", paramLabel = "REASON",
      description = "Switch traffic although Green was deployed 24 h+ ago, when §1.2 asks for a redeploy and data migration instead: why, in a sentence; journaled with --requested-by and shown in the report. Default: none (refused).")
  String capabilityOverride;

  @Option(names = "--rehearsal", description = "A rehearsal (§9.1): not on production; no two-person authorization needed for the database step; the §9.2 scorecard is written.")
  boolean rehearsal;

  @Option(names = "--rehearsal-of", paramLabel = "TEST",
      description = "A rehearsal of this test of the plan's §9.1 (built-in: traffic-switch, full-rollback, database-rollback, backup-restore): implies --rehearsal; --scenario must be one the test accepts and --env its environment. Journaled and in the report. Default: none.")
  String rehearsalOf;

  @Mixin ProbeOptions probeOptions;

  @Mixin DatabaseOptions database;

  abstract String scenarioName();

  /** Who asked for the rollback: --requested-by, else the actor. */
  String requester() {
    return requestedBy != null ? requestedBy : output.actor();
  }

  /** Scenario D's backup; null for the others. */
  Path dump() {
    return null;
  }

  String redeployImage() {
    return null;
  }

  @Override
  Outcome execute(Journal journal) {
    String name = scenarioName();
    incident = lms.rollback.report.ReportIdentity.checked("--incident", incident);
    deployment = lms.rollback.report.ReportIdentity.checked("--deployment", deployment);
    // the engine checks the request (scenario, trigger, environment, rehearsal, --through) as it does for every driver
    RollbackRun.Request request = RollbackRun.check(plan.plan(), new RollbackRun.Request(name, plan.environmentName(), trigger, requester(),
        reason, rehearsal, rehearsalOf, through, clusterOptions.leaseHolder(output.actor()) + " (lmsctl " + spec.name() + ")",
        clusterOptions.lockWait(), buildUrl));
    rehearsal = request.rehearsal();
    if (!dryRun) lms.rollback.report.ReportIdentity.record(journal, incident, deployment);
    if (carried != null) {
      journal.append(Event.RUN_CONTINUED, Map.of("from", carried.from().toString(), "runStartSeq", carried.startSeq()));
      Progress.stderr().say("  continuing the unfinished run of " + carried.from() + " (journal entry " + carried.startSeq() + ")");
    }
    Scenario scenario = plan.plan().scenario(name);
    Environment env = plan.environment();
    if (decisionsFrom != null && (dryRun || through != null || interrupted != null)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--decisions-from: waits for the decision and goes on, so --dry-run, --through and --interrupted do not apply; drop them");
    }
    if (interrupted != null && (dryRun || through != null || waitForDecision)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--interrupted: records a stop and runs nothing, so --dry-run, --through and --wait do not apply; drop them");
    }
    if (interrupted != null && interrupted.isBlank()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--interrupted: say why in a sentence (e.g. \"build 41 aborted by rc.jones\")");
    }
    if (dryRun && (through != null || waitForDecision)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--dry-run: runs nothing, so --through and --wait do not apply; drop them");
    }
    Progress progress = Progress.stderr();
    PrintWriter out = spec.commandLine().getOut();
    boolean text = !output.json();
    // the interruption of a run is recorded after its engine: a process still ending (the build's own engine, stopping with it)
    // is waited for, never refused — refusing it left a run unfinished and untold on a real controller (#35)
    try (OutDirLock local = OutDirLock.acquire(output.outDir(), interrupted != null ? clusterOptions.lockWait() : Duration.ZERO, progress); KubernetesClient client = clusterOptions.connection().open()) {
      ClusterSession cluster = new ClusterSession(client, new ApiRetry(clusterOptions.attempts(), ApiRetry.DEFAULT_FIRST_BACKOFF, progress), journal, progress);
      RollbackRun run = new RollbackRun(plan.plan(), cluster, output.outDir(), System.getenv(), progress).restore(dump(), redeployImage())
          .earlierJournals(continueFrom)
          .capabilityOverride(capabilityOverride)
          .printTo(text && !dryRun ? out : null)
          .waiting(waiting())
          .database(database.source());
      RollbackSteps.Probes probes = probeOptions.probes(plan.plan(), cluster, env);
      if (probes != null) run.probes(probes);
      if (dryRun) return dryRunOutcome(run.dryRun(request), scenario);
      if (interrupted != null) return outcome(journal, scenario, run.interrupted(request, interrupted));
      // this process is the run's: a SIGTERM or Ctrl-C mid-step records where it stopped before the process ends
      return outcome(journal, scenario, run.stopOnSignals().advance(request));
    }
  }

  /** How this call waits at the gate: not at all, here (--wait), or here taking a build's answers (--decisions-from, every 100 ms). */
  private RollbackRun.Waiting waiting() {
    if (decisionsFrom != null) {
      // the controller's key signs what the engine records, as gate record's --sign-with default does
      String signWith = System.getenv("LMS_DECISION_KEY");
      var signing = new lms.rollback.gate.DecisionRecorder.Signing(plan.environmentName(),
          signWith == null || signWith.isBlank() ? null : Path.of(signWith), null);
      var inbox = new lms.rollback.gate.DecisionInbox(decisionsFrom, System.getenv(lms.rollback.gate.DecisionInbox.KEY_VARIABLE),
          lms.rollback.gate.DecisionInbox.recorders(plan.plan(), output.outDir(), signing));
      return new RollbackRun.Waiting(true, 1.0, Duration.ofMillis(100), inbox);
    }
    return waitForDecision ? new RollbackRun.Waiting(true, 1.0, Duration.ofMillis(500)) : RollbackRun.Waiting.NO;
  }

  private Outcome outcome(Journal journal, Scenario scenario, RollbackRun.Outcome o) {
    RunStateMachine.Result result = o.result();
    Map<String, Object> data = new java.util.LinkedHashMap<>(o.asData());
    // a driver's stage waits for a step at most its budget plus this grace: then the engine reports the step overrun
    data.put("stepGraceSeconds", plan.plan().stepGrace().limit().toSeconds());
    List<String> text = new ArrayList<>();
    switch (result.status()) {
      case AWAITING_DECISION -> {
        if (!RunStateMachine.DECISION.equals(result.stoppedAt())) {
          text.add("  WAITING before " + result.stoppedAt() + ": " + result.reason());
          break;
        }
        text.add("  DECISION NEEDED: " + result.gate().describe() + "; nothing was changed yet.");
        var p = result.gate().prompt();
        var gate = new lms.rollback.gate.Authority(plan.plan()).gateFor(trigger, rehearsal ? null : scenarioName(),
            lms.rollback.gate.TriggerEvidence.inRunOf(journal, trigger));
        if (gate.asManual() != null) text.add("  " + gate.asManual() + ".");
        text.add("  " + (p.database() ? "Each of the two" : "They") + " decide with (approve, or --decision reject):");
        decisionCommands(gate, p, scenario).forEach(c -> text.add("    " + c));
        text.add("  then run this command again (or add --wait to wait here).");
      }
      case REJECTED -> text.add("  NOT STARTED: " + result.reason());
      case REFUSED -> text.add("  NOT STARTED: the preflight refused: " + result.reason());
      case STOPPED -> text.add("  STOPPED at " + result.stoppedAt() + ": " + result.reason());
      case PAUSED -> text.add("  paused after " + through + "; run the same command again (without --through, or with a later step) to go on");
      case INTERRUPTED -> text.add("  INTERRUPTED: " + result.reason());
      case COMPLETED, ALREADY_DONE -> { }
    }
    if (result.started()) {
      text.add(0, String.format("  machine time %s against the scenario's target of %s", StepRunner.seconds(result.total()), scenario.target()));
    }
    o.reports().forEach(f -> text.add("  report: " + f));
    data.put("journal", journal.file().toString());
    text.add("  journal: " + journal.file());
    return new Outcome(o.exitCode(), data, text);
  }

  /** What a decider pastes to approve at this prompt: the level's authority, or each person of the two-person rule. */
  private List<String> decisionCommands(lms.rollback.gate.GatePlan gate, lms.rollback.gate.Prompt p, Scenario scenario) {
    List<List<String>> holders = new ArrayList<>();
    if (p.database() && gate.twoPersonRule() != null) gate.twoPersonRule().roles().forEach(r -> holders.add(gate.twoPersonRule().holders().get(r)));
    else holders.add(gate.level(p.level()).holders());
    List<String> commands = new ArrayList<>();
    for (List<String> h : holders) {
      var c = lms.rollback.core.PrintedCommand.of("gate record").option("--trigger", trigger).option("--level", p.database() ? null : p.level())
          .flag("--database", p.database()).option("--decision", "approve").optionTheUser("--by").option("--groups", String.join(",", h))
          .option("--requested-by", requester())
          .option("--reason", "approved: " + trigger + " confirmed, scenario " + scenarioName() + " (" + scenario.title() + ")");
      commands.add(plan.onto(output.onto(c)).toString());
    }
    return commands;
  }

  private Outcome dryRunOutcome(Map<String, Object> data, Scenario scenario) {
    List<String> text = new ArrayList<>();
    text.add("DRY RUN of scenario " + scenarioName() + " — " + scenario.title() + " on '" + plan.environmentName() + "': nothing was changed, asked or sent.");
    @SuppressWarnings("unchecked") List<Map<String, Object>> checks = (List<Map<String, Object>>) data.get("preflight");
    checks.forEach(c -> text.add(String.format("  preflight %-26s %s  %s", c.get("name"), Boolean.TRUE.equals(c.get("ok")) ? "ok  " : "FAIL", c.get("seen"))));
    @SuppressWarnings("unchecked") Map<String, Object> measured = (Map<String, Object>) data.get("measured");
    var evidence = measured == null ? null : lms.rollback.gate.TriggerEvidence.of(measured);
    var authority = new lms.rollback.gate.Authority(plan.plan());
    var gate = evidence == null ? authority.gateFor(trigger, rehearsal ? null : scenarioName()) : authority.gateFor(trigger, scenarioName(), evidence);
    if (!gate.approvalNeeded()) text.add("  decision: " + (evidence != null ? evidence.describe() : trigger + ": nobody would be asked"));
    if (gate.asManual() != null) text.add("  decision: " + gate.asManual());
    for (var l : gate.levels()) {
      if (gate.approvalNeeded()) text.add(String.format("  would ask level %d: %s (%s) within %s", l.level(), l.title(),
          String.join(",", gate.submittersAt(l.level())), lms.rollback.plan.Budget.format(l.window())));
    }
    if (gate.twoPersonRule() != null) text.add("  then the database authorization: " + String.join(" and ", gate.twoPersonRule().titles()));
    scenario.steps().forEach(s -> text.add(String.format("  would run %-32s budget %s", s.title(), s.budget())));
    @SuppressWarnings("unchecked") List<String> messages = (List<String>) data.get("messages");
    messages.forEach(m -> text.add("  would send " + m));
    // the readable account, in the JSON too: Jenkins' console shows it, not the JSON
    data.put("text", List.copyOf(text));
    return new Outcome((int) data.get("exitCode"), data, text);
  }
}
