package lms.rollback.audit;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The journal's vocabulary: every type of entry the engine writes or reads. The engine appends only these
 * ({@link Journal#append(Event, Map)}); a person's own entry ({@code lmsctl audit record}) may use a type of
 * {@link Origin#PEOPLE} or one outside the vocabulary, never one the engine writes itself.
 */
public enum Event {
  ANNOUNCE("announce"),
  BLUE_REDEPLOYED("blue.redeployed"),
  CHECK_RESULT("check.result"),
  // checks a step could not make (a --cluster-only run reaches neither Blue's HTTP endpoints nor Prometheus)
  CHECKS_NOT_MADE("checks.not-made"),
  // the pre-rollback checklist (§4.1); people may record items by hand
  CHECKLIST_DONE("checklist.done", Origin.PEOPLE),
  CHECKLIST_ITEM("checklist.item", Origin.PEOPLE),
  // a command sent to the Kubernetes API
  CLUSTER_COMMAND("cluster.command"),
  CLUSTER_COMMAND_START("cluster.command.start"),
  CONFIRM("confirm"),
  DATA_REVIEW_DONE("data-review.done", Origin.PEOPLE),
  // migrations downgraded, jobs, backups restored (§4.2 step 4, §5.4)
  DATABASE_COMMAND("database.command"),
  DATABASE_DOWNGRADE_FAILED("database.downgrade.failed"),
  DATABASE_DOWNGRADE_PLANNED("database.downgrade.planned"),
  DATABASE_DOWNGRADED("database.downgraded"),
  DATABASE_JOB_CREATED("database.job.created"),
  DATABASE_JOB_DELETED("database.job.deleted"),
  DATABASE_JOB_LEFT("database.job.left"),
  DATABASE_NOOP("database.noop"),
  DATABASE_REFUSED("database.refused"),
  DATABASE_RESTORE_FAILED("database.restore.failed"),
  DATABASE_RESTORE_START("database.restore.start"),
  DATABASE_RESTORED("database.restored"),
  DRY_RUN("dry-run"),
  ESCALATION("escalation"),
  FOLLOWUP_DONE("followup.done"),
  // who decided, at which prompt, and the notices about it
  GATE_CLOSED("gate.closed"),
  GATE_DATABASE_AUTHORIZED("gate.database.authorized"),
  GATE_DECISION("gate.decision"),
  GATE_ESCALATED("gate.escalated"),
  GATE_NOTIFIED("gate.notified"),
  GATE_OPENED("gate.opened"),
  GATE_PLAN("gate.plan"),
  GATE_REFUSED("gate.refused"),
  GATE_REMINDED("gate.reminded"),
  GATE_REMINDERS_CANCELLED("gate.reminders.cancelled"),
  /** The requests (and errors) Green served from its deployment to the switch, as Prometheus counted them, or why not measured. */
  GREEN_SERVED("green.served"),
  // the environment's lease
  LEASE_ACQUIRED("lease.acquired"),
  LEASE_KEPT("lease.kept"),
  LEASE_RELEASED("lease.released"),
  // an automatic rollback took the environment over from a run waiting for its decision (§3.2)
  LEASE_SUPERSEDED("lease.superseded"),
  // Green's logs preserved (§7.1 #3)
  LOGS_DIGESTS("logs.digests"),
  LOGS_FAILED("logs.failed"),
  LOGS_GONE("logs.gone"),
  LOGS_PRESERVED("logs.preserved"),
  LOGS_TIMEOUT("logs.timeout"),
  // the maintenance page of scenario D
  MAINTENANCE_NOOP("maintenance.noop"),
  MAINTENANCE_OFF("maintenance.off"),
  MAINTENANCE_ON("maintenance.on"),
  // every message, sent or not (§6)
  NOTIFY_FAILED("notify.failed"),
  NOTIFY_RENDERED("notify.rendered"),
  NOTIFY_SENT("notify.sent"),
  NOTIFY_SKIPPED("notify.skipped"),
  // the checks before a run changes anything
  PREFLIGHT_CHECK("preflight.check"),
  PREFLIGHT_PASSED("preflight.passed"),
  REHEARSAL_NOT_RUN("rehearsal.not-run"),
  /** A rehearsal's §9.2 scorecard, after its run: readiness counts the rehearsal only when it passed. */
  REHEARSAL_SCORED("rehearsal.scored"),
  // the report completed and signed (§8.2)
  REPORT_IDENTITY("report.identity"),
  REPORT_PART("report.part"),
  REPORT_SIGNOFF("report.signoff"),
  RUN_CONTINUED("run.continued"),
  // a run of a scenario: its start, decision, pauses and how it ended
  /** An unfinished run a later request may not continue (past the plan's gate.continueWithin, or another request): ended, never resumed. */
  SCENARIO_ABANDONED("scenario.abandoned"),
  SCENARIO_ALREADY_DONE("scenario.already-done"),
  SCENARIO_AWAITING("scenario.awaiting"),
  SCENARIO_DECIDED("scenario.decided"),
  SCENARIO_END("scenario.end"),
  SCENARIO_INTERRUPTED("scenario.interrupted"),
  SCENARIO_PAUSED("scenario.paused"),
  SCENARIO_REFUSED("scenario.refused"),
  SCENARIO_REJECTED("scenario.rejected"),
  SCENARIO_RESUME("scenario.resume"),
  SCENARIO_START("scenario.start"),
  SCENARIO_STOPPED("scenario.stopped"),
  // the scenario's steps
  STEP_END("step.end"),
  STEP_REDO("step.redo"),
  STEP_SKIPPED("step.skipped"),
  /** A step still running at its budget plus the plan's grace: the engine says so, the step goes on (its driver stops waiting). */
  STEP_OVERRUN("step.overrun"),
  STEP_START("step.start"),
  STEP_VERIFIED("step.verified"),
  // Green's shutdown (§4.2 step 3)
  STOP_GREEN_DONE("stop-green.done"),
  STOP_GREEN_NOOP("stop-green.noop"),
  STOP_GREEN_REFUSED("stop-green.refused"),
  STOP_GREEN_TIMEOUT("stop-green.timeout"),
  // the traffic switch (§4.2 step 1)
  SWITCH_AFTER("switch.after"),
  SWITCH_BEFORE("switch.before"),
  SWITCH_FORCED("switch.forced"),
  SWITCH_NOOP("switch.noop"),
  SWITCH_REFUSED("switch.refused"),
  // triggers measured, fired and acted on
  // an automatic trigger held but its rollback could not start (the environment held mid-step): the watch went on
  TRIGGER_BLOCKED("trigger.blocked"),
  TRIGGER_CHANGED("trigger.changed"),
  TRIGGER_EVALUATED("trigger.evaluated"),
  TRIGGER_FIRED("trigger.fired"),
  TRIGGER_RECOMMENDATION("trigger.recommendation"),
  TRIGGER_ROLLED_BACK("trigger.rolled-back"),
  // one lmsctl call
  VERB_END("verb.end"),
  VERB_FAILED("verb.failed"),
  VERB_START("verb.start"),
  // a watch of the automatic triggers (§2.1)
  WATCH_END("watch.end"),
  WATCH_START("watch.start");

  /** Who may write an entry of this type: only lmsctl, after its own checks, or also a person by hand. */
  public enum Origin { ENGINE, PEOPLE }

  /** A run that ended this way is over: decisions and steps after it belong to the next run. */
  public static final Set<Event> RUN_ENDS = EnumSet.of(SCENARIO_END, SCENARIO_REJECTED, SCENARIO_REFUSED, SCENARIO_ABANDONED);
  /** What a run says of itself: its start, phases and end, and its steps. The last of these is where the run stands. */
  public static final Set<Event> RUN_PROGRESS = EnumSet.of(SCENARIO_START, SCENARIO_RESUME, SCENARIO_DECIDED, SCENARIO_AWAITING,
      SCENARIO_PAUSED, SCENARIO_STOPPED, SCENARIO_INTERRUPTED, SCENARIO_END, SCENARIO_REJECTED, SCENARIO_REFUSED, SCENARIO_ABANDONED, STEP_START, STEP_END,
      STEP_SKIPPED, STEP_REDO, STEP_VERIFIED);
  /** The outcome of one message on one channel. */
  public static final Set<Event> DELIVERIES = EnumSet.of(NOTIFY_SENT, NOTIFY_FAILED, NOTIFY_SKIPPED, NOTIFY_RENDERED);

  /**
   * Families of types a run resumes from or that decide for people: every type beginning so is the engine's, in the
   * vocabulary or not (yet) — a trigger's measurement lets an automatic rollback skip its approval, a report's sign-off approves it.
   */
  public static final List<String> STEERING_FAMILIES = List.of("verb.", "step.", "scenario.", "gate.", "preflight.", "lease.", "trigger.",
      "report.", "followup.");

  private static final Map<String, Event> BY_KEY = Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Event::key, Function.identity()));

  private final String key;
  private final Origin origin;

  Event(String key) {
    this(key, Origin.ENGINE);
  }

  Event(String key, Origin origin) {
    this.key = key;
    this.origin = origin;
  }

  /** The type as the journal's lines carry it, e.g. {@code scenario.start}. */
  public String key() {
    return key;
  }

  public Origin origin() {
    return origin;
  }

  /** Whether a person may write an entry of this type by hand: neither the engine's type nor of a family that steers a run. */
  public static boolean writableByPeople(String type) {
    Event known = of(type);
    return (known == null || known.origin() == Origin.PEOPLE) && STEERING_FAMILIES.stream().noneMatch(type::startsWith);
  }

  /** The event a journal line's type names, or null for a type outside the vocabulary (a person's own entry). */
  public static Event of(String key) {
    return BY_KEY.get(key);
  }

  @Override
  public String toString() {
    return key;
  }
}
