package lms.rollback.trigger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.gate.Authority;
import lms.rollback.gate.GatePlan;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Trigger;
import lms.rollback.plan.TriggerType;

/**
 * §2.1 and §2.2 as a loop: every interval, evaluate the measurable triggers. An automatic one that
 * holds rolls back at once, with no approval; a manual one that holds is reported as a
 * recommendation for the authority the plan names. Bounded in time; stops by itself.
 */
public final class TriggerWatch {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** How the watch ended. */
  public record Result(Outcome outcome, Evaluation evidence, Map<String, Object> recommendation, int rounds) {}

  public enum Outcome { rolled_back, would_roll_back, recommendation, quiet }

  /** The automatic rollback could not start now (the environment is held by a run that is mid-step): the watch goes on. */
  public static final class Blocked extends RuntimeException {
    public Blocked(String why) {
      super(why);
    }
  }

  /**
   * What the watch tells people while it goes on watching (§3.2 "Alert Release Commander", "Start timer"): a manual
   * trigger that holds (its recommendation; {@code escalated}: it went on holding past its decision time), and an
   * automatic rollback that could not start.
   */
  public interface Alerts {
    void manual(Map<String, Object> recommendation, boolean escalated);

    void blocked(Evaluation held, String why);

    Alerts NONE = new Alerts() {
      @Override
      public void manual(Map<String, Object> recommendation, boolean escalated) {}

      @Override
      public void blocked(Evaluation held, String why) {}
    };
  }

  private final Plan plan;
  private final TriggerEvaluator evaluator;
  private final Journal journal;
  private final Progress progress;
  private final Clock clock;

  public TriggerWatch(Plan plan, TriggerEvaluator evaluator, Journal journal, Progress progress, Clock clock) {
    this.plan = plan;
    this.evaluator = evaluator;
    this.journal = journal;
    this.progress = progress;
    this.clock = clock;
  }

  /** The triggers that can be measured, automatic ones first (they act, the others only advise). */
  public List<Trigger> measurable() {
    return plan.triggers().stream().filter(t -> t.measure() != null)
        .sorted(Comparator.comparing((Trigger t) -> t.type() != TriggerType.AUTOMATIC)).toList();
  }

  /**
   * Watches for {@code duration}. {@code rollback} rolls back for the trigger that held (its
   * evidence given) and returns a one-line account; it is not called on a dry run.
   */
  public Result watch(String environment, Environment env, Duration interval, Duration duration, boolean dryRun,
      java.util.function.Function<Evaluation, String> rollback) {
    return watch(environment, env, interval, duration, dryRun, rollback, Alerts.NONE);
  }

  /**
   * The same, telling {@code alerts}. The watch is §3.2's timer: a manual trigger that holds is alerted once, escalated
   * once when it goes on holding past its decision time, and the watch goes on — an automatic threshold reached later
   * still rolls back on its own. It ends with a rollback, or at the end of {@code duration}.
   */
  public Result watch(String environment, Environment env, Duration interval, Duration duration, boolean dryRun,
      java.util.function.Function<Evaluation, String> rollback, Alerts alerts) {
    Instant end = clock.instant().plus(duration);
    journal.append(Event.WATCH_START, Map.of("environment", environment, "intervalSeconds", interval.toSeconds(), "forSeconds", duration.toSeconds(),
        "dryRun", dryRun, "triggers", measurable().stream().map(Trigger::id).toList()));
    int rounds = 0;
    // a 4-hour watch evaluates thousands of times: the journal gets what changed (first state, clear -> unknown
    // when Prometheus went away, back), not every unchanged round
    Map<String, Evaluation.State> last = new java.util.HashMap<>();
    // each manual trigger holding now: since when, and whether its escalation went out
    Map<String, Instant> holdingSince = new java.util.HashMap<>();
    java.util.Set<String> escalated = new java.util.HashSet<>();
    java.util.Set<String> blockedBy = new java.util.HashSet<>();
    Evaluation advised = null;
    Map<String, Object> advice = null;
    while (true) {
      rounds++;
      Instant now = clock.instant();
      for (Trigger t : measurable()) {
        Evaluation e = evaluator.evaluate(t, env, now);
        Evaluation.State before = last.put(t.id(), e.state());
        if (before != e.state()) {
          Map<String, Object> change = new LinkedHashMap<>();
          change.put("trigger", t.id());
          change.put("from", before == null ? "not watched" : before.name());
          change.put("to", e.state().name());
          change.put("round", rounds);
          change.put("detail", e.detail());
          journal.append(Event.TRIGGER_CHANGED, change);
        }
        if (e.state() == Evaluation.State.unknown) progress.say("  " + t.id() + " unknown: " + e.detail());
        if (!e.holds()) {
          holdingSince.remove(t.id());
          escalated.remove(t.id());
          continue;
        }
        if (t.type() == TriggerType.AUTOMATIC) {
          journal.append(Event.TRIGGER_FIRED, withDryRun(e.asData(), dryRun));
          if (dryRun) return new Result(Outcome.would_roll_back, e, null, rounds);
          progress.say("  " + t.id() + " holds (" + e.detail() + "): rolling back now, no approval (§2.1)");
          try {
            String done = rollback.apply(e);
            journal.append(Event.TRIGGER_ROLLED_BACK, Map.of("trigger", t.id(), "result", done));
            return new Result(Outcome.rolled_back, e, null, rounds);
          } catch (Blocked b) {
            // never stolen from a run that is mid-step: said once per reason, and the watch goes on (and tries again)
            journal.append(Event.TRIGGER_BLOCKED, Map.of("trigger", t.id(), "reason", b.getMessage()));
            progress.say("  " + t.id() + " holds but the automatic rollback cannot start now: " + b.getMessage() + "; still watching");
            if (blockedBy.add(b.getMessage())) alerts.blocked(e, b.getMessage());
            continue;
          }
        }
        GatePlan gate = new Authority(plan).gateFor(t.id(), null);
        Instant since = holdingSince.get(t.id());
        boolean overdue = since != null && !now.isBefore(since.plus(gate.levels().get(0).window())) && !escalated.contains(t.id());
        if (since != null && !overdue) continue;
        Map<String, Object> recommendation = new LinkedHashMap<>();
        recommendation.put("trigger", t.id());
        recommendation.put("condition", t.condition());
        recommendation.put("evidence", e.asData());
        recommendation.put("gate", gate.asData());
        if (overdue) recommendation.put("escalated", true);
        journal.append(Event.TRIGGER_RECOMMENDATION, withDryRun(recommendation, dryRun));
        if (since == null) {
          holdingSince.put(t.id(), now);
          progress.say("  " + t.id() + " holds (" + e.detail() + "): " + gate.levels().get(0).title() + " must decide within "
              + lms.rollback.plan.Budget.format(gate.levels().get(0).window()) + "; alerted, still watching");
        } else {
          escalated.add(t.id());
          progress.say("  " + t.id() + " still holds past its decision time: escalated, still watching");
        }
        if (!dryRun) alerts.manual(recommendation, overdue);
        advised = e;
        advice = recommendation;
      }
      if (rounds % 6 == 1) progress.say("  round " + rounds + ": no automatic trigger holds (" + measurable().size() + " watched)");
      Instant next = now.plus(interval);
      if (!next.isBefore(end)) {
        journal.append(Event.WATCH_END, Map.of("rounds", rounds, "outcome", advice != null ? "a manual trigger held" : "no trigger held"));
        return advice != null ? new Result(Outcome.recommendation, advised, advice, rounds) : new Result(Outcome.quiet, null, null, rounds);
      }
      sleepUntil(next);
    }
  }

  private static Map<String, Object> withDryRun(Map<String, Object> data, boolean dryRun) {
    Map<String, Object> m = new LinkedHashMap<>(data);
    m.put("dryRun", dryRun);
    return m;
  }

  private void sleepUntil(Instant t) {
    long ms = Duration.between(clock.instant(), t).toMillis();
    if (ms <= 0) return;
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.OTHER, "watch interrupted");
    }
  }
}
