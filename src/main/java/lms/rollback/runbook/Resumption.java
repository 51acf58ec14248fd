package lms.rollback.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.gate.Identity;
import lms.rollback.plan.Scenario;

/**
 * The unfinished run of a journal as a call resumes it: its start (who asked for what — fixed there, never taken again
 * from a later call), the steps that ended well, whether its decision was taken, whether it changed anything yet, and
 * whether its last call ended in order (paused, waiting for its decision) rather than killed or stopped at a step.
 */
public record Resumption(RunLog.Start identity, Map<String, StepRunner.Outcome> done, boolean decided, boolean changed, boolean orderly) {

  /** What a call says the run is; compared with the run's start, never written over it. */
  public record Call(String scenario, String environment, String trigger, String requestedBy) {}

  /**
   * The unfinished run of {@code journal} that {@code call} continues, or null when no run is unfinished. An unfinished
   * run that is another scenario, environment, trigger or requester is refused with a sentence: the journal says what
   * the run is, and a later call cannot make it another (a requester's own approval would otherwise count).
   */
  public static Resumption resuming(RunLog log, Call call, Scenario plan) {
    RunLog.Start start = log.unfinished();
    if (start == null) return null;
    String disagreement = disagreement(start, call);
    if (disagreement != null) {
      throw new LmsException(ExitCode.INVALID_INPUT, disagreement + ": this journal holds an unfinished run, " + start.describe()
          + ", and a call continues it as it started. Continue it with " + callOf(start) + ", or let it end first (a rejected, refused or completed run "
          + "ends; Jenkins starts each build in its own folder). Nothing was changed");
    }
    return of(log, start, plan);
  }

  /** The unfinished run of {@code journal} if it is the one {@code call} names, else null (a continuation that carries nothing). */
  public static Resumption matching(RunLog log, Call call, Scenario plan) {
    RunLog.Start start = log.unfinished();
    return start == null || disagreement(start, call) != null ? null : of(log, start, plan);
  }

  private static Resumption of(RunLog log, RunLog.Start start, Scenario plan) {
    Map<String, StepRunner.Outcome> done = new LinkedHashMap<>();
    for (Journal.Entry e : log.finishedSteps().values()) {
      String action = e.data().path("action").asText();
      Scenario.Step step = plan.steps().stream().filter(s -> s.action().key().equals(action)).findFirst().orElse(null);
      if (step == null) continue;
      done.put(action, new StepRunner.Outcome(action, step.title(), Duration.ofMillis(e.data().path("millis").asLong()), step.budget(), true,
          e.data().path("detail").asText()));
    }
    boolean changed = log.sinceUnfinished().stream().anyMatch(e -> e.is(lms.rollback.audit.Event.STEP_START));
    RunLog.Phase phase = log.phase();
    // orderly: the last call ended on purpose (paused, waiting for its decision); else it was killed or a step failed
    boolean orderly = phase == RunLog.Phase.PAUSED || phase == RunLog.Phase.AWAITING_DECISION;
    return new Resumption(start, done, log.decided(), changed, orderly);
  }

  /** The first field in which {@code call} is not the run that {@code start} began, as an option and both values; null when none. */
  private static String disagreement(RunLog.Start start, Call call) {
    if (!Objects.equals(start.scenario(), call.scenario())) return "--scenario " + call.scenario() + " (the run is " + start.scenario() + ")";
    if (!Objects.equals(start.environment(), call.environment())) return "--env " + call.environment() + " (the run is on " + start.environment() + ")";
    if (!Objects.equals(start.trigger(), call.trigger())) return "--trigger " + call.trigger() + " (the run is for " + start.trigger() + ")";
    if (start.requestedBy() != null && call.requestedBy() != null && !Identity.same(start.requestedBy(), call.requestedBy())) {
      return "--requested-by " + call.requestedBy() + " (the run was requested by " + start.requestedBy() + ", who may not approve it)";
    }
    return null;
  }

  private static String callOf(RunLog.Start s) {
    return "--scenario " + s.scenario() + " --env " + s.environment() + " --trigger " + s.trigger() + " --requested-by " + s.requestedBy();
  }

  public long startSeq() {
    return identity.seq();
  }

  public JsonNode start() {
    return identity.data();
  }

  public String leaseHolder() {
    return identity.leaseHolder();
  }
}
