package lms.rollback.runbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.gate.GateRun;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;

/**
 * The phases of a run, as a state machine over its journal: begin (start, or resume under the same identity),
 * preflight → decision → the scenario's steps, each with its budget, through the executor registered for its action.
 * {@link RollbackRun} assembles it for every driver (terminal, Jenkins stage, sandbox, watch) and holds the lease; this
 * class only moves the phases on. Its state lives in the journal ({@code lms.rollback.audit.RunLog}), so each call
 * resumes where the last stopped. A failing step stops the run (Blue unhealthy after the switch ⇒ Green is never
 * reached); an undecided gate stops it before anything changed.
 */
public final class RunStateMachine {

  /** Pseudo-steps a run can pause after, besides the scenario's own. */
  public static final String PREFLIGHT = "preflight";
  public static final String DECISION = "decision";

  /** Where a call of the run left it. */
  public enum Status {
    COMPLETED, PAUSED, STOPPED, AWAITING_DECISION, REJECTED, REFUSED,
    /** No run: the environment is already where the scenario leaves it (a second build after a rollback); nothing asked or sent. */
    ALREADY_DONE,
    /** The run's driver stopped mid-run (a build aborted, an agent lost): recorded, reported, told; the run continues later. */
    INTERRUPTED,
    /** An automatic rollback took the environment over while this run waited for its decision, having changed nothing. */
    SUPERSEDED;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private final Map<StepAction, Function<Scenario.Step, String>> executors = new EnumMap<>(StepAction.class);
  private final Map<StepAction, Supplier<String>> stillDone = new EnumMap<>(StepAction.class);
  private Supplier<String> beforeCompleting = () -> "";
  private final java.util.Set<StepAction> checkedAgainAfterACrash = java.util.EnumSet.noneOf(StepAction.class);
  private final Map<StepAction, Map<StepAction, String>> undoneOnPurpose = new EnumMap<>(StepAction.class);
  private final Map<StepAction, Supplier<PersonNeeded>> waitsFor = new EnumMap<>(StepAction.class);
  private final Journal journal;
  private Hooks hooks = Hooks.NONE;
  private Supplier<String> preflight = () -> "no preflight checks";
  private Supplier<GateRun.State> gate;

  private java.time.Duration overrunGrace;
  private StepRunner.OverrunListener overruns;

  public RunStateMachine(Journal journal) {
    this.journal = journal;
  }

  /** Each step still running at its budget plus {@code grace} is reported overrun (journaled, and told to {@code listener}). */
  public RunStateMachine overruns(java.time.Duration grace, StepRunner.OverrunListener listener) {
    this.overrunGrace = grace;
    this.overruns = listener;
    return this;
  }

  /** Told when the rollback really starts (after its decision), of each finished step, and of its end. */
  public interface Hooks {
    void started();

    void stepFinished(StepRunner.Outcome outcome);

    void finished(Result result);

    Hooks NONE = new Hooks() {
      @Override public void started() { }

      @Override public void stepFinished(StepRunner.Outcome outcome) { }

      @Override public void finished(Result result) { }
    };
  }

  public RunStateMachine hooks(Hooks hooks) {
    this.hooks = hooks;
    return this;
  }

  public RunStateMachine on(StepAction action, Function<Scenario.Step, String> executor) {
    executors.put(action, executor);
    return this;
  }

  /** What must hold before the first change: returns what it saw, or throws naming what would stop the run later. */
  private Runnable beforeEachStep = () -> { };

  /** Runs before each step's executor; what it throws stops the run at that step (a lost lease, say). */
  public RunStateMachine beforeEachStep(Runnable check) {
    this.beforeEachStep = check;
    return this;
  }

  public RunStateMachine preflight(Supplier<String> check) {
    this.preflight = check;
    return this;
  }

  /** The run's gate: asked before the first step, every call, until it is decided. Without one the run needs no decision. */
  public RunStateMachine gate(Supplier<GateRun.State> decide) {
    this.gate = decide;
    return this;
  }

  /**
   * How to tell that a step a killed run finished is still true (Blue still has the traffic, say);
   * it returns what it saw, or throws if the step must run again. Steps without one are trusted.
   */
  public RunStateMachine stillDone(StepAction action, Supplier<String> check) {
    stillDone.put(action, check);
    return this;
  }

  /**
   * A step that needs a person first (the §1.2 data review): {@code missing} says what is still to be done, or null
   * when it is. Until then the run waits before the step, as at an undecided gate: nothing of the step is started.
   */
  public RunStateMachine waitsFor(StepAction action, Supplier<PersonNeeded> missing) {
    waitsFor.put(action, missing);
    return this;
  }

  /**
   * Checks (verify-blue) that are run again, not trusted, when the run resumes after a call that was
   * killed or stopped: what they saw may no longer hold, and later steps act on it.
   */
  /**
   * A later step that undoes an earlier one's postcondition on purpose (D's verify-restore leaves maintenance): once
   * both are done, a resumed run judges the earlier step as the later one left it — not redone — and checks only the
   * later step's own postcondition.
   */
  public RunStateMachine undoneOnPurpose(StepAction earlier, StepAction later, String why) {
    undoneOnPurpose.computeIfAbsent(earlier, k -> new EnumMap<>(StepAction.class)).put(later, why);
    return this;
  }

  /**
   * What must still hold when the last step has run, before the run is called complete (the routes and Green as the run
   * left them): a check that throws stops the run at its last step, through the one stop path.
   */
  public RunStateMachine beforeCompleting(Supplier<String> check) {
    this.beforeCompleting = check;
    return this;
  }

  public RunStateMachine checkedAgainAfterACrash(StepAction... actions) {
    checkedAgainAfterACrash.addAll(List.of(actions));
    return this;
  }

  /**
   * {@code resumedFrom}: the journal seq of the scenario.start of the run this call continued, or 0.
   * {@code gate}: the gate's state as this call left it (null before the decision was reached).
   */
  public record Result(String scenario, Status status, List<StepRunner.Outcome> steps, Duration total, Duration target, String stoppedAt,
      String reason, long resumedFrom, GateRun.State gate, List<Scenario.Step> plan, PersonNeeded person) {

    Result waitingFor(PersonNeeded p) {
      return new Result(scenario, status, steps, total, target, stoppedAt, reason, resumedFrom, gate, plan, p);
    }

    public boolean ok() {
      return status == Status.COMPLETED || status == Status.PAUSED || status == Status.ALREADY_DONE;
    }

    public boolean complete() {
      return status == Status.COMPLETED;
    }

    /** Whether the run went past its decision: the rollback really started. */
    public boolean started() {
      return status == Status.COMPLETED || status == Status.STOPPED || (status == Status.PAUSED && gate != null && gate.decided());
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", scenario);
      m.put("state", status.key());
      m.put("ok", ok());
      m.put("complete", complete());
      if (resumedFrom > 0) m.put("resumedFrom", resumedFrom);
      m.put("totalMillis", total.toMillis());
      m.put("targetMillis", target.toMillis());
      m.put("steps", steps.stream().map(StepRunner.Outcome::asData).toList());
      m.put("plan", planData(plan));
      if (gate != null) m.put("gate", gate.asData());
      if (stoppedAt != null) m.put("stoppedAt", stoppedAt);
      if (person != null) m.put("person", person.asData());
      if (reason != null) m.put("reason", reason);
      return m;
    }
  }

  /** A scenario's steps as the Jenkins stages read them: action, title, budget (as the plan writes it, and its limit in seconds). */
  public static List<Map<String, Object>> planData(List<Scenario.Step> steps) {
    return steps.stream().map(s -> Map.<String, Object>of("action", s.action().key(), "title", s.title(), "budget", s.budget().text(),
        "budgetSeconds", budgetSeconds(s.budget()))).toList();
  }

  /** A budget in whole seconds for Jenkins' timeout: rounded up, so 500ms is 1 s, never a timeout of 0. */
  static long budgetSeconds(lms.rollback.plan.Budget budget) {
    return Math.max(1, (budget.limit().toMillis() + 999) / 1000);
  }

  /** Runs the whole scenario, or finishes its unfinished run in the journal. */
  public Result run(String name, Scenario scenario, Map<String, ?> context, StepRunner.Listener listener) {
    Resumption earlier = Resumption.resuming(lms.rollback.audit.RunLog.read(journal), new Resumption.Call(name, (String) context.get("environment"),
        (String) context.get("trigger"), (String) context.get("requestedBy")), scenario);
    return run(name, scenario, context, listener, null, earlier);
  }

  /** scenario.start's record of {@link lms.rollback.plan.Plan#authorityDigest()}: the plan that governs the run. */
  public static final String PLAN_DIGEST = "planDigest";
  /** scenario.start's identity of the run; a driver that names it in the context (for its lease) keeps it. */
  public static final String RUN_ID = "runId";

  /** Where a run may pause: after its preflight, after its decision, or after one of the scenario's steps. */
  public static List<String> pausePoints(Scenario scenario) {
    List<String> points = new ArrayList<>(List.of(PREFLIGHT, DECISION));
    scenario.steps().forEach(s -> points.add(s.action().key()));
    return points;
  }

  /**
   * Advances the run up to and including {@code through} (all if null). If the journal holds an
   * unfinished run of the same scenario, environment and trigger — paused, waiting for its decision,
   * killed, or stopped at a failing step — it is resumed: steps that ended well are skipped (after
   * their still-done check), a step that was running when the run died runs again, and nothing is
   * announced twice. {@code context} (environment, trigger, requester, …) goes into scenario.start; {@code earlier}: the
   * unfinished run of the journal this call continues ({@link Resumption#resuming}), or null for a new run.
   */
  public Result run(String name, Scenario scenario, Map<String, ?> context, StepRunner.Listener listener, String through, Resumption earlier) {
    requireExecutors(name, scenario);
    Run run = begin(name, scenario, context, earlier);
    if (earlier == null || !earlier.changed()) preflight(run);
    if (PREFLIGHT.equals(through)) return run.pause(PREFLIGHT, null);
    GateRun.State decided = gate == null ? null : gate.get();
    Result undecided = decide(run, decided, earlier);
    if (undecided != null) return undecided;
    if (DECISION.equals(through)) return run.pause(DECISION, decided);
    return steps(run, earlier, decided, listener, through);
  }

  private void requireExecutors(String name, Scenario scenario) {
    for (Scenario.Step step : scenario.steps()) {
      if (!executors.containsKey(step.action())) {
        throw new LmsException(ExitCode.INVALID_INPUT, "scenario " + name + ": step '" + step.action().key()
            + "' cannot run here; this run supports " + String.join(", ", executors.keySet().stream().map(StepAction::key).toList()));
      }
    }
  }

  /** The run's start, or its resumption: under the plan it started with, from a journal whose chain is intact. */
  private Run begin(String name, Scenario scenario, Map<String, ?> context, Resumption earlier) {
    if (earlier != null && context.get(PLAN_DIGEST) != null && earlier.start().hasNonNull(PLAN_DIGEST)
        && !earlier.start().path(PLAN_DIGEST).asText().equals(context.get(PLAN_DIGEST))) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--plan: the plan's authority (triggers, authority matrix, roles, gate, scenarios, database) "
          + "differs from the one this run started under (digest " + earlier.start().path(PLAN_DIGEST).asText().substring(0, 12) + "…, now "
          + ((String) context.get(PLAN_DIGEST)).substring(0, 12) + "…); a run is governed by the plan it started with: go on with that plan "
          + "(allowed: the same --plan file, unchanged). Nothing was changed");
    }
    if (earlier != null) {
      // a run resumes from its journal: never from one that was edited
      var chain = lms.rollback.audit.ChainVerifier.verify(journal.file(), null);
      if (!chain.intact()) {
        throw new LmsException(ExitCode.VERIFICATION_FAILED, "the journal " + journal.file() + " is broken (" + chain.problem()
            + "); the run is not resumed from it. Keep it for the audit, and start again with another --out-dir");
      }
      journal.append(Event.SCENARIO_RESUME, Map.of("scenario", name, "startSeq", earlier.startSeq(), "done", List.copyOf(earlier.done().keySet())));
      return new Run(name, scenario, earlier.startSeq());
    }
    Map<String, Object> start = new LinkedHashMap<>(context);
    // the run's identity, fixed here: a signed decision names it, so its signature is good for this run only
    start.putIfAbsent(RUN_ID, java.util.UUID.randomUUID().toString());
    start.put("scenario", name);
    start.put("title", scenario.title());
    start.put("target", scenario.target().text());
    journal.append(Event.SCENARIO_START, start);
    return new Run(name, scenario, 0);
  }

  /** Before the first change: everything the run needs is there, or the run is refused with nothing changed. */
  private void preflight(Run run) {
    try {
      journal.append(Event.PREFLIGHT_PASSED, Map.of("scenario", run.name, "seen", preflight.get()));
    } catch (LmsException e) {
      Result r = run.result(Status.REFUSED, List.of(), Duration.ZERO, PREFLIGHT, e.getMessage() + "; nothing was changed", null);
      journal.append(Event.SCENARIO_REFUSED, r.asData());
      throw new ScenarioStoppedException(r, e);
    }
  }

  /** The gate: the result that ends this call at it (open, or closed without approval), or null when the run may go on. */
  private Result decide(Run run, GateRun.State decided, Resumption earlier) {
    if (decided != null && decided.status() == GateRun.Status.OPEN) {
      Result r = run.result(Status.AWAITING_DECISION, List.of(), Duration.ZERO, DECISION, decided.describe(), decided);
      journal.append(Event.SCENARIO_AWAITING, Map.of("scenario", run.name, "gate", decided.asData()));
      return r;
    }
    if (decided != null && !decided.decided()) {
      Result r = run.result(Status.REJECTED, List.of(), Duration.ZERO, DECISION, decided.describe() + "; nothing was changed", decided);
      journal.append(Event.SCENARIO_REJECTED, r.asData());
      hooks.finished(r);
      return r;
    }
    if (earlier == null || !earlier.decided()) {
      journal.append(Event.SCENARIO_DECIDED, decided == null ? Map.of("scenario", run.name) : Map.of("scenario", run.name, "gate", decided.asData()));
      hooks.started();
    }
    return null;
  }

  /** The scenario's steps in order: each done earlier checked again (or skipped as left on purpose), the others run, to {@code through}. */
  private Result steps(Run run, Resumption earlier, GateRun.State decided, StepRunner.Listener listener, String through) {
    Scenario scenario = run.scenario;
    StepRunner timer = new StepRunner(journal, o -> {
      listener.finished(o);
      if (o.ok()) hooks.stepFinished(o);
    });
    if (overrunGrace != null) timer.overrunAfter(overrunGrace, overruns);
    for (Scenario.Step step : scenario.steps()) {
      StepRunner.Outcome done = earlier == null ? null : earlier.done().get(step.action().key());
      if (done != null && !earlier.orderly() && checkedAgainAfterACrash.contains(step.action())) {
        journal.append(Event.STEP_REDO, Map.of("action", step.action().key(), "reason", "the run resumes after a call that did not end in order: checked again"));
        done = null;
      }
      PersonNeeded missing = done == null && waitsFor.containsKey(step.action()) ? waitsFor.get(step.action()).get() : null;
      String leftBy = done == null ? null : leftOnPurposeBy(step, earlier);
      if (leftBy != null) {
        journal.append(Event.STEP_VERIFIED, Map.of("action", step.action().key(), "seen", leftBy));
        timer.skipped(done);
        listener.finished(timer.outcomes().get(timer.outcomes().size() - 1));
      } else if (done != null && stillDone(step)) {
        timer.skipped(done);
        listener.finished(timer.outcomes().get(timer.outcomes().size() - 1));
      } else if (missing != null) {
        Result r = run.result(Status.AWAITING_DECISION, timer.outcomes(), timer.total(), step.action().key(), missing.message(), decided)
            .waitingFor(missing);
        journal.append(Event.SCENARIO_AWAITING, Map.of("scenario", run.name, "step", step.action().key(), "person", missing.asData()));
        return r;
      } else {
        try {
          timer.run(step, () -> {
            beforeEachStep.run();
            return act(step);
          });
        } catch (LmsException e) {
          Result r = run.result(Status.STOPPED, timer.outcomes(), timer.total(), step.action().key(), e.getMessage(), decided);
          journal.append(Event.SCENARIO_STOPPED, r.asData());
          hooks.finished(r);
          throw new ScenarioStoppedException(r, e);
        }
      }
      if (step.action().key().equals(through) && step != scenario.steps().get(scenario.steps().size() - 1)) {
        Result r = run.result(Status.PAUSED, timer.outcomes(), timer.total(), null, null, decided);
        journal.append(Event.SCENARIO_PAUSED, Map.of("scenario", run.name, "through", through));
        return r;
      }
    }
    if (!scenario.steps().isEmpty()) {
      String last = scenario.steps().get(scenario.steps().size() - 1).action().key();
      try {
        lastLook();
      } catch (LmsException e) {
        Result r = run.result(Status.STOPPED, timer.outcomes(), timer.total(), last, e.getMessage(), decided);
        journal.append(Event.SCENARIO_STOPPED, r.asData());
        hooks.finished(r);
        throw new ScenarioStoppedException(r, e);
      }
    }
    Result r = run.result(Status.COMPLETED, timer.outcomes(), timer.total(), null, null, decided);
    journal.append(Event.SCENARIO_END, r.asData());
    hooks.finished(r);
    return r;
  }

  /**
   * A step's work; whatever it throws ends in the one stop path (journaled, reported, the war room told). An error of the
   * Kubernetes client the retries do not cover (a 401 after the switch's PATCH, a 403 on the scale) used to escape it (#38).
   */
  private String act(Scenario.Step step) {
    try {
      return executors.get(step.action()).apply(step);
    } catch (LmsException e) {
      throw e;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      throw new lms.rollback.cluster.ClusterException("the Kubernetes API refused " + step.title() + ": " + lms.rollback.cluster.ApiRetry.reason(e)
          + " (not retried: check the credentials and permissions of the kubeconfig)", e);
    } catch (RuntimeException e) {
      throw new LmsException(ExitCode.OTHER, step.title() + " failed unexpectedly: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private void lastLook() {
    try {
      beforeCompleting.get();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      throw new lms.rollback.cluster.ClusterException("the Kubernetes API refused the run's last look at the cluster: "
          + lms.rollback.cluster.ApiRetry.reason(e), e);
    }
  }

  /** What every result of one call shares. */
  private final class Run {
    final String name;
    final Scenario scenario;
    final long resumedFrom;

    Run(String name, Scenario scenario, long resumedFrom) {
      this.name = name;
      this.scenario = scenario;
      this.resumedFrom = resumedFrom;
    }

    Result result(Status status, List<StepRunner.Outcome> steps, Duration total, String stoppedAt, String reason, GateRun.State gate) {
      return new Result(name, status, steps, total, scenario.target().limit(), stoppedAt, reason, resumedFrom, gate, scenario.steps(), null);
    }

    Result pause(String after, GateRun.State gate) {
      journal.append(Event.SCENARIO_PAUSED, Map.of("scenario", name, "through", after));
      return result(Status.PAUSED, List.of(), Duration.ZERO, null, null, gate);
    }
  }

  /** The later step, already done in this run, that undid {@code step}'s postcondition on purpose; null if none. */
  private String leftOnPurposeBy(Scenario.Step step, Resumption earlier) {
    Map<StepAction, String> later = undoneOnPurpose.getOrDefault(step.action(), Map.of());
    for (Map.Entry<StepAction, String> e : later.entrySet()) {
      if (earlier.done().containsKey(e.getKey().key())) return "left by " + e.getKey().key() + " on purpose: " + e.getValue();
    }
    return null;
  }

  /** Whether a step the earlier run finished is still done; journaled either way. */
  private boolean stillDone(Scenario.Step step) {
    Supplier<String> check = stillDone.get(step.action());
    if (check == null) return true;
    try {
      String seen = check.get();
      journal.append(Event.STEP_VERIFIED, Map.of("action", step.action().key(), "seen", seen));
      return true;
    } catch (LmsException e) {
      journal.append(Event.STEP_REDO, Map.of("action", step.action().key(), "reason", e.getMessage()));
      return false;
    }
  }

  /** The run stopped (at its preflight or a step); carries what ran, so the caller can still report it. */
  public static final class ScenarioStoppedException extends LmsException {
    private final transient Result result;

    ScenarioStoppedException(Result result, LmsException cause) {
      super(cause.exitCode(), "scenario " + result.scenario() + (result.status() == Status.REFUSED ? " refused at its preflight: "
          : " stopped at step '" + result.stoppedAt() + "': ") + cause.getMessage(), cause);
      this.result = result;
    }

    public Result result() {
      return result;
    }
  }
}
