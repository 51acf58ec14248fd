package lms.rollback.runbook;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  public record Result(String scenario, List<StepTimer.Outcome> steps, Duration total, Duration target, boolean ok, String stoppedAt,
      String reason) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", scenario);
      m.put("ok", ok);
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

  /** Runs the scenario; {@code context} (environment, trigger, requester, …) goes into the journal's scenario.start. */
  public Result run(String name, Scenario scenario, Map<String, ?> context, StepTimer.Listener listener) {
    for (Scenario.Step step : scenario.steps()) {
      if (!executors.containsKey(step.action())) {
        throw new LmsException(ExitCode.INVALID_INPUT, "scenario " + name + ": step '" + step.action().key()
            + "' cannot run here; this run supports " + String.join(", ", executors.keySet().stream().map(StepAction::key).toList()));
      }
    }
    Map<String, Object> start = new LinkedHashMap<>(context);
    start.put("scenario", name);
    start.put("title", scenario.title());
    start.put("target", scenario.target().text());
    journal.append("scenario.start", start);
    hooks.started();
    StepTimer timer = new StepTimer(journal, o -> {
      listener.finished(o);
      if (o.ok()) hooks.stepFinished(o);
    });
    for (Scenario.Step step : scenario.steps()) {
      try {
        timer.run(step, () -> executors.get(step.action()).apply(step));
      } catch (LmsException e) {
        Result r = new Result(name, timer.outcomes(), timer.total(), scenario.target().limit(), false, step.action().key(), e.getMessage());
        journal.append("scenario.stopped", r.asData());
        hooks.finished(r);
        throw new ScenarioStoppedException(r, e);
      }
    }
    Result r = new Result(name, timer.outcomes(), timer.total(), scenario.target().limit(), true, null, null);
    journal.append("scenario.end", r.asData());
    hooks.finished(r);
    return r;
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
