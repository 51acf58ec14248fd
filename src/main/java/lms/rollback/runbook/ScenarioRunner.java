package lms.rollback.runbook;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;

/**
 * Runs a scenario's steps in order, each with its budget, through the executor registered for its
 * action. A failing step stops the run (Blue unhealthy after the switch ⇒ Green is never reached).
 */
public final class ScenarioRunner {

  private final Map<StepAction, Function<Scenario.Step, String>> executors = new EnumMap<>(StepAction.class);
  private final Map<StepAction, Supplier<String>> stillDone = new EnumMap<>(StepAction.class);
  private final Journal journal;
  private Hooks hooks = Hooks.NONE;

  public ScenarioRunner(Journal journal) {
    this.journal = journal;
  }

  /** Told of the run's start, each finished step and its end, e.g. to send the §6.1 messages. */
  public interface Hooks {
    void started();

    void stepFinished(StepTimer.Outcome outcome);

    void finished(Result result);

    Hooks NONE = new Hooks() {
      @Override public void started() { }

      @Override public void stepFinished(StepTimer.Outcome outcome) { }

      @Override public void finished(Result result) { }
    };
  }

  public ScenarioRunner hooks(Hooks hooks) {
    this.hooks = hooks;
    return this;
  }

  public ScenarioRunner on(StepAction action, Function<Scenario.Step, String> executor) {
    executors.put(action, executor);
    return this;
  }

  /**
   * How to tell that a step a killed run finished is still true (Blue still has the traffic, say);
   * it returns what it saw, or throws if the step must run again. Steps without one are trusted.
   */
  public ScenarioRunner stillDone(StepAction action, Supplier<String> check) {
    stillDone.put(action, check);
    return this;
  }

  /**
   * {@code complete}: every step ran (else the run paused after --through, or stopped).
   * {@code resumedFrom}: the journal seq of the scenario.start of the run this one finished, or 0.
   */
  public record Result(String scenario, List<StepTimer.Outcome> steps, Duration total, Duration target, boolean ok, String stoppedAt,
      String reason, boolean complete, long resumedFrom) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", scenario);
      m.put("ok", ok);
      m.put("complete", complete);
      if (resumedFrom > 0) m.put("resumedFrom", resumedFrom);
      m.put("totalMillis", total.toMillis());
      m.put("targetMillis", target.toMillis());
      m.put("steps", steps.stream().map(StepTimer.Outcome::asData).toList());
      if (!ok) {
        m.put("stoppedAt", stoppedAt);
        m.put("reason", reason);
      }
      return m;
    }
  }

  /** Runs the whole scenario, or finishes its unfinished run in the journal. */
  public Result run(String name, Scenario scenario, Map<String, ?> context, StepTimer.Listener listener) {
    return run(name, scenario, context, listener, null);
  }

  /**
   * Runs the scenario's steps up to and including {@code through} (all if null). If the journal
   * holds an unfinished run of the same scenario, environment and trigger — killed, or stopped at a
   * failing step — it is resumed: steps that ended well are skipped (after their still-done check),
   * a step that was running when the run died runs again, and nothing is announced twice.
   * {@code context} (environment, trigger, requester, …) goes into the journal's scenario.start.
   */
  public Result run(String name, Scenario scenario, Map<String, ?> context, StepTimer.Listener listener, StepAction through) {
    for (Scenario.Step step : scenario.steps()) {
      if (!executors.containsKey(step.action())) {
        throw new LmsException(ExitCode.INVALID_INPUT, "scenario " + name + ": step '" + step.action().key()
            + "' cannot run here; this run supports " + String.join(", ", executors.keySet().stream().map(StepAction::key).toList()));
      }
    }
    if (through != null && scenario.steps().stream().noneMatch(s -> s.action() == through)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--through: scenario " + name + " has no step '" + through.key() + "'; allowed: "
          + String.join(", ", scenario.steps().stream().map(s -> s.action().key()).toList()));
    }
    RunState earlier = RunState.unfinished(journal, name, scenario, (String) context.get("environment"), (String) context.get("trigger"));
    if (earlier == null) {
      Map<String, Object> start = new LinkedHashMap<>(context);
      start.put("scenario", name);
      start.put("title", scenario.title());
      start.put("target", scenario.target().text());
      journal.append("scenario.start", start);
      hooks.started();
    } else {
      journal.append("scenario.resume", Map.of("scenario", name, "startSeq", earlier.startSeq(), "done", List.copyOf(earlier.done().keySet())));
    }
    StepTimer timer = new StepTimer(journal, o -> {
      listener.finished(o);
      if (o.ok()) hooks.stepFinished(o);
    });
    long resumedFrom = earlier == null ? 0 : earlier.startSeq();
    for (Scenario.Step step : scenario.steps()) {
      StepTimer.Outcome done = earlier == null ? null : earlier.done().get(step.action().key());
      if (done != null && stillDone(step)) {
        timer.skipped(done);
        listener.finished(timer.outcomes().get(timer.outcomes().size() - 1));
      } else {
        try {
          timer.run(step, () -> executors.get(step.action()).apply(step));
        } catch (LmsException e) {
          Result r = new Result(name, timer.outcomes(), timer.total(), scenario.target().limit(), false, step.action().key(), e.getMessage(),
              false, resumedFrom);
          journal.append("scenario.stopped", r.asData());
          hooks.finished(r);
          throw new ScenarioStoppedException(r, e);
        }
      }
      if (step.action() == through && step != scenario.steps().get(scenario.steps().size() - 1)) {
        Result r = new Result(name, timer.outcomes(), timer.total(), scenario.target().limit(), true, null, null, false, resumedFrom);
        journal.append("scenario.paused", Map.of("scenario", name, "through", through.key()));
        return r;
      }
    }
    Result r = new Result(name, timer.outcomes(), timer.total(), scenario.target().limit(), true, null, null, true, resumedFrom);
    journal.append("scenario.end", r.asData());
    hooks.finished(r);
    return r;
  }

  /** Whether a step the earlier run finished is still done; journaled either way. */
  private boolean stillDone(Scenario.Step step) {
    Supplier<String> check = stillDone.get(step.action());
    if (check == null) return true;
    try {
      String seen = check.get();
      journal.append("step.verified", Map.of("action", step.action().key(), "seen", seen));
      return true;
    } catch (LmsException e) {
      journal.append("step.redo", Map.of("action", step.action().key(), "reason", e.getMessage()));
      return false;
    }
  }

  /** The run stopped at a step; carries what ran, so the caller can still report it. */
  public static final class ScenarioStoppedException extends LmsException {
    private final transient Result result;

    ScenarioStoppedException(Result result, LmsException cause) {
      super(cause.exitCode(), "scenario " + result.scenario() + " stopped at step '" + result.stoppedAt() + "': " + cause.getMessage(), cause);
      this.result = result;
    }

    public Result result() {
      return result;
    }
  }
}
