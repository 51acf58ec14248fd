package lms.rollback.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables;
import lms.rollback.plan.Scenario;

/**
 * Reads the journal back into a {@link RollbackReport}: the last scenario run in it (or, when it
 * holds single verbs only, all of it). Nothing but the journal and the plan's follow-up tables is
 * consulted, so a report can be rendered anywhere, later, from an archived journal.
 */
public final class ReportBuilder {

  private final Plan plan;

  public ReportBuilder(Plan plan) {
    this.plan = plan;
  }

  public RollbackReport build(Path journalFile, String incidentId, String deploymentId) {
    ChainVerifier.Result integrity = ChainVerifier.verify(journalFile, null);
    Located located = locate(journalFile);
    if (located.last == null) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--journal: " + journalFile + " has no entries to report on");
    }
    JsonNode start = located.first.is(Event.SCENARIO_START) ? located.first.data() : null;
    String environment = start != null ? start.path("environment").asText(null) : located.firstVerbEnvironment;
    String startedFor = start != null ? start.path("trigger").asText(null) : located.firstGateTrigger;
    // a watch's alert goes out before its rollback starts: the trigger is the one that fired
    String triggerId = startedFor != null ? startedFor : located.firstFiredTrigger;
    // what the report renders is folded as it streams by; only the entries people add afterwards (report parts,
    // sign-offs, follow-ups ticked) are kept to be read again — a journal of a million entries folds in flat memory
    List<Journal.Entry> withDecisions = new ArrayList<>();
    List<Journal.Entry> run = new ArrayList<>();
    List<RollbackReport.Step> steps = new ArrayList<>();
    List<RollbackReport.Command> commands = new ArrayList<>();
    List<RollbackReport.Check> checks = new ArrayList<>();
    List<RollbackReport.Message> messages = new ArrayList<>();
    List<RollbackReport.HumanWait> waits = new ArrayList<>();
    List<RollbackReport.GateNotice> notices = new ArrayList<>();
    Map<String, Instant> stepStarts = new HashMap<>();
    Map<String, Instant> gatesOpened = new HashMap<>();
    RollbackReport.Decision decision = null;
    List<RollbackReport.Decision> decisions = new ArrayList<>();
    List<RollbackReport.Escalation> escalations = new ArrayList<>();
    RollbackReport.Outcome outcome = RollbackReport.Outcome.INTERRUPTED;
    String stoppedAt = null;
    String stopReason = null;
    String interruptedAt = null;
    String interruptedWhy = null;
    String openStep = null;
    Instant ended = located.last.ts();
    int checksAtStepStart = 0;
    Instant detected = null;
    Instant initiated = null;
    String measuredCondition = null;
    boolean held = false;
    List<RollbackReport.ChecklistItem> checklist = new ArrayList<>();
    List<String> notChecked = new ArrayList<>();
    String blueVersion = null;
    RollbackReport.Served greenServed = null;
    // §10's path without a scenario: each step verb (switch, verify-blue, stop-green, …) is a step of the run
    Map<String, Instant> verbStarts = new HashMap<>();

    // the entries that tick a follow-up of the plan (its doneWhen: logs.preserved, a message sent), whoever wrote them
    java.util.Set<String> followUpTypes = new java.util.HashSet<>();
    for (var items : List.of(plan.immediateActions(), plan.rootCauseAnalysis(), plan.correctiveActions())) {
      items.stream().filter(f -> f.doneWhen() != null).forEach(f -> followUpTypes.add(f.doneWhen().split(":", 2)[0]));
    }
    var reading = Journal.reading(journalFile).stream().skip(located.from);
    long index = located.from;
    for (Journal.Entry e : (Iterable<Journal.Entry>) reading::iterator) {
      JsonNode d = e.data();
      Event event = e.event();
      long at = index++;
      if (event != null && KEPT_FOR_LATER.contains(event) || followUpTypes.contains(e.type())) {
        withDecisions.add(e);
        if (at >= located.startAt) run.add(e);
      }
      if (event == null) continue; // a person's own note: in the audit trail, not in the timeline
      switch (event) {
        case STEP_START -> {
          interruptedAt = null; // the run went on after an interruption
          interruptedWhy = null;
          stepStarts.put(d.path("action").asText(), e.ts());
          checksAtStepStart = checks.size();
          openStep = d.path("title").asText();
        }
        case STEP_END -> {
          String action = d.path("action").asText();
          // a step.end without a budget (hand-written) is reported, not fatal
          Duration budget = d.path("budget").asText("").isBlank() ? Duration.ZERO : lms.rollback.plan.Budget.parse(d.path("budget").asText()).limit();
          steps.add(new RollbackReport.Step(action, d.path("title").asText(), stepStarts.getOrDefault(action, e.ts()),
              Duration.ofMillis(d.path("millis").asLong()), budget,
              d.path("ok").asBoolean(), d.path("detail").asText("")));
          // a verifying step is a row of its own only when it journaled no checks (a dead Blue, say): else it would
          // count its checks twice
          if ((action.startsWith("verify") || action.equals("confirm")) && checks.size() == checksAtStepStart) {
            checks.add(new RollbackReport.Check(e.ts(), d.path("title").asText(), d.path("ok").asBoolean() ? "pass" : "fail", d.path("detail").asText("")));
          }
          openStep = null;
        }
        case CLUSTER_COMMAND, DATABASE_COMMAND -> commands.add(new RollbackReport.Command(e.ts(), e.actor(), d.path("command").asText(),
            d.path("arguments").toString(), d.path("outcome").asText()));
        case CHECK_RESULT -> {
          checks.add(new RollbackReport.Check(e.ts(), d.path("name").asText(), d.path("status").asText(), checkDetail(d)));
          if (VERSION_CHECK.equals(d.path("name").asText()) && "pass".equals(d.path("status").asText())) blueVersion = d.path("measured").asText(null);
        }
        case CHECKS_NOT_MADE -> d.path("checks").forEach(c -> {
          String name = c.asText() + " (" + d.path("why").asText() + ")";
          if (!notChecked.contains(name)) notChecked.add(name);
        });
        case GREEN_SERVED -> greenServed = RollbackReport.Served.of(d);
        // Blue's release as the run last set or saw it: D's redeploy, the confirm step's images
        case BLUE_REDEPLOYED -> blueVersion = d.path("image").asText(blueVersion);
        case CONFIRM -> {
          List<String> images = new ArrayList<>();
          d.path("blueImages").forEach(i -> images.add(i.asText()));
          if (!images.isEmpty()) blueVersion = String.join(", ", images);
        }
        case VERB_START -> {
          if (start == null && STEP_VERBS.containsKey(d.path("verb").asText())) verbStarts.put(d.path("verb").asText(), e.ts());
        }
        case VERB_END, VERB_FAILED -> {
          String verb = d.path("verb").asText();
          Instant begun = verbStarts.remove(verb);
          if (start == null && begun != null) steps.add(verbStep(verb, begun, d));
        }
        // this run's messages: those before its start were the previous run's, sent after that run's end
        case NOTIFY_SENT, NOTIFY_FAILED, NOTIFY_SKIPPED -> {
          if (!e.ts().isBefore(located.first.ts())) messages.add(new RollbackReport.Message(e.ts(), d.path("message").asText(),
            d.path("channel").asText(), e.type().substring("notify.".length()), d.path("detail").asText("")));
        }
        case CHECKLIST_ITEM -> checklist.add(new RollbackReport.ChecklistItem(d.path("step").asInt(), d.path("action").asText(),
            d.path("owner").asText(), d.path("state").asText(), d.path("detail").asText("")));
        case TRIGGER_FIRED, TRIGGER_RECOMMENDATION -> {
          if (detected == null) detected = e.ts();
          JsonNode evidence = d.has("evidence") ? d.path("evidence") : d;
          if (measuredCondition == null) measuredCondition = evidence.path("condition").asText(null);
          if (e.is(Event.TRIGGER_FIRED) && !d.path("dryRun").asBoolean(false)) held = true;
        }
        case TRIGGER_EVALUATED -> {
          // the run's own measurement before its decision: whether an automatic trigger could go without a person
          held = "holds".equals(d.path("state").asText());
          if (held && detected == null) detected = e.ts();
          measuredCondition = (d.hasNonNull("condition") ? d.path("condition").asText() + ": " : "") + d.path("state").asText() + " ("
              + d.path("detail").asText() + "), measured by the run before its decision";
        }
        case GATE_OPENED -> gatesOpened.put(promptOf(d), e.ts());
        case GATE_CLOSED -> closeWait(gatesOpened, waits, d, d.path("outcome").asText(), e.ts());
        case GATE_NOTIFIED, GATE_ESCALATED, GATE_REMINDED -> {
          List<String> reached = new ArrayList<>();
          d.path("reached").forEach(r -> reached.add(r.path("title").asText()));
          StringBuilder channels = new StringBuilder();
          d.path("channels").forEach(c -> channels.append(channels.length() == 0 ? "" : ", ").append(c.path("channel").asText()).append(' ')
              .append(c.path("status").asText()));
          notices.add(new RollbackReport.GateNotice(e.ts(), d.path("kind").asText(), promptOf(d), d.path("decider").asText(), reached,
              channels.toString()));
        }
        case GATE_DECISION -> {
          // a level's decision closes its prompt (journals before gate.closed existed have only this);
          // one approval of the two-person rule does not, its gate.closed does
          if (!d.path("database").asBoolean(false)) closeWait(gatesOpened, waits, d, d.path("decision").asText(), e.ts());
          boolean database = d.path("database").asBoolean(false);
          String prompt = database ? "database authorization" : "level " + d.path("level").asInt();
          if ("timeout".equals(d.path("decision").asText())) {
            escalations.add(new RollbackReport.Escalation(e.ts(), d.path("role").asText() + " did not answer (" + prompt + ")"));
          } else {
            RollbackReport.Decision made = new RollbackReport.Decision(e.ts(), d.path("by").asText(), d.path("role").asText(),
                d.path("decision").asText(), d.path("reason").asText(), prompt, e.actor(),
                d.path("signature").isObject() ? d.path("signature").path("key").asText() : null,
                java.util.Optional.ofNullable(lms.rollback.audit.Login.of(d)).map(lms.rollback.audit.Login::describe).orElse(null));
            decisions.add(made);
            if (!database && decision == null) decision = made;
          }
        }
        case SCENARIO_DECIDED -> {
          // §6.1's T+0: the rollback is initiated once it is decided
          if (initiated == null) initiated = e.ts();
        }
        case SCENARIO_END -> {
          // a run stopped earlier and resumed to its end is complete
          outcome = RollbackReport.Outcome.COMPLETED;
          stoppedAt = null;
          stopReason = null;
          ended = e.ts();
        }
        case SCENARIO_REJECTED, SCENARIO_REFUSED -> {
          outcome = e.is(Event.SCENARIO_REJECTED) ? RollbackReport.Outcome.REJECTED : RollbackReport.Outcome.REFUSED;
          stoppedAt = d.path("stoppedAt").asText();
          stopReason = d.path("reason").asText();
          ended = e.ts();
        }
        case SCENARIO_INTERRUPTED -> {
          interruptedAt = d.path("stoppedAt").asText();
          interruptedWhy = d.path("reason").asText();
        }
        case SCENARIO_ABANDONED -> {
          // a later request may not continue it: it ends here, not completed, where it had stopped
          outcome = RollbackReport.Outcome.FAILED;
          // where it had stopped: its failed step, its interruption, the step open when it was lost
          stoppedAt = stoppedAt != null ? stoppedAt : interruptedAt != null ? interruptedAt : openStep != null ? openStep : "after its last journaled entry";
          stopReason = (stopReason != null ? stopReason + "; then " : "") + "abandoned: " + d.path("reason").asText();
          ended = e.ts();
        }
        case SCENARIO_STOPPED -> {
          outcome = RollbackReport.Outcome.FAILED;
          stoppedAt = d.path("stoppedAt").asText();
          stopReason = d.path("reason").asText();
          ended = e.ts();
        }
        default -> { }
      }
    }
    if (start == null && outcome == RollbackReport.Outcome.INTERRUPTED && !steps.isEmpty()) {
      // §10's step verbs, no scenario: judged by their steps, each by its last run (a verb re-run after a failure
      // finished it); a step verb still running is where it stands. A verb that is not a step (notify, report: the call
      // rendering this) says nothing of the rollback.
      Map<String, RollbackReport.Step> latest = new java.util.LinkedHashMap<>();
      steps.forEach(st -> latest.put(st.action(), st));
      RollbackReport.Step failed = latest.values().stream().filter(st -> !st.ok()).reduce((a, b) -> b).orElse(null);
      if (!verbStarts.isEmpty()) {
        openStep = STEP_VERBS.get(verbStarts.keySet().iterator().next());
      } else if (failed != null) {
        outcome = RollbackReport.Outcome.FAILED;
        stoppedAt = failed.action();
        stopReason = failed.detail();
      } else if (latest.containsKey("switch-traffic") && latest.containsKey("verify-blue")) {
        outcome = RollbackReport.Outcome.COMPLETED;
      } else {
        stoppedAt = "after " + steps.get(steps.size() - 1).title();
        stopReason = "the steps are run one by one (§10) and " + (latest.containsKey("switch-traffic") ? "lmsctl verify-blue" : "lmsctl switch")
            + " has not run yet";
      }
      ended = steps.get(steps.size() - 1).start().plus(steps.get(steps.size() - 1).took());
    } else if (start == null && outcome == RollbackReport.Outcome.INTERRUPTED) {
      // single verbs that are not steps, no scenario: judged by the last verb's end
      Journal.Entry last = located.last;
      if (last.is(Event.VERB_END)) outcome = RollbackReport.Outcome.COMPLETED;
      if (last.is(Event.VERB_FAILED)) {
        outcome = RollbackReport.Outcome.FAILED;
        stoppedAt = last.data().path("verb").asText();
        stopReason = last.data().path("reason").asText();
      }
    }
    if (outcome == RollbackReport.Outcome.INTERRUPTED && stopReason == null) {
      stoppedAt = interruptedAt != null ? interruptedAt : openStep != null ? openStep : "after the last journaled entry";
      stopReason = interruptedWhy != null ? "interrupted (" + interruptedWhy + "); the run continues when the same rollback is run again"
          : "no end was journaled: the run was killed or is still going (last entry: " + located.last.type() + ")";
    }

    reading.close();
    if (incidentId == null) incidentId = ReportIdentity.journaled(withDecisions, "incident");
    if (deploymentId == null) deploymentId = ReportIdentity.journaled(withDecisions, "deployment");
    Instant started = located.first.ts();
    String scenario = start != null ? start.path("scenario").asText() : null;
    String measured = measuredCondition;
    boolean measuredToHold = held;
    String reported = start != null ? start.path("reason").asText(null) : null;
    var trigger = triggerId == null ? null : plan.triggers().stream().filter(t -> t.id().equals(triggerId)).findFirst()
        .map(t -> new RollbackReport.Trigger(t.id(), t.type().key(), t.condition(), t.threshold(), measured, reported, measuredToHold))
        .orElse(new RollbackReport.Trigger(triggerId, "unknown", "not in the plan", null, measured, reported, measuredToHold));
    return new RollbackReport(incidentId, deploymentId, environment, scenario,
        scenario != null && plan.scenarios().containsKey(scenario) ? plan.scenario(scenario).title() : null,
        // a scenario is held to its own target (§5.4: 30m-60m for a restore), a run of single verbs to the plan's 15m
        started, ended, Duration.between(started, ended),
        scenario != null && plan.scenarios().containsKey(scenario) ? plan.scenario(scenario).target().limit() : plan.targetTime().limit(),
        scenario != null && plan.scenarios().containsKey(scenario) ? plan.scenario(scenario).target().limit() : null,
        outcome, stoppedAt, stopReason, trigger, decision, steps, commands, checks, messages, waits, notices,
        followUps(plan.immediateActions(), ended, run), followUps(plan.rootCauseAnalysis(), ended, run), followUps(plan.correctiveActions(), ended, run),
        integrity, decisions, escalations,
        start == null ? null : start.path("capability").path("summary").asText(null),
        start != null && start.path("capability").has("greenAgeSeconds")
            ? started.minusSeconds(start.path("capability").path("greenAgeSeconds").asLong()) : null,
        detected, checklist, rehearsal(start), ReportCompletion.of(withDecisions),
        schedule(scenario, initiated, messages, steps, outcome), plan.time(), List.copyOf(notChecked), blueVersion, greenServed,
        start == null ? null : start.path("requestedBy").asText(null));
  }

  /** The check that reads the release Blue serves (its health answer's version field): the report's current version. */
  public static final String VERSION_CHECK = "Previous version displayed";

  /** The verbs of §10's manual path that are steps of a rollback, with the step each is. */
  private static final Map<String, String> STEP_VERBS = Map.of("switch", "switch-traffic", "verify-blue", "verify-blue", "stop-green", "stop-green",
      "smoke", "confirm", "db-rollback", "database-rollback", "restore", "restore-database");

  /** A step verb's run as a step: its title and budget from the plan's scenario that has it, ok when it exited 0. */
  private RollbackReport.Step verbStep(String verb, Instant begun, JsonNode end) {
    String action = STEP_VERBS.get(verb);
    var step = plan.scenarios().values().stream().flatMap(sc -> sc.steps().stream()).filter(st -> st.action().key().equals(action)).findFirst();
    int exit = end.path("exitCode").asInt(-1);
    String detail = exit == 0 ? "lmsctl " + verb + " exited 0" : "lmsctl " + verb + " exited " + exit
        + (end.path("reason").asText("").isBlank() ? "" : ": " + end.path("reason").asText());
    return new RollbackReport.Step(action, step.map(Scenario.Step::title).orElse(verb), begun, Duration.ofMillis(end.path("millis").asLong()),
        step.map(st -> st.budget().limit()).orElse(Duration.ZERO), exit == 0, detail);
  }

  /**
   * §6.1 as planned against as sent: each row the run's scenario sends (at its start, its end, and after its own
   * steps), due at T+0 (the decision) plus the row's time; late, not sent (and why), or not due because the run
   * did not get there.
   */
  private List<RollbackReport.Scheduled> schedule(String scenario, Instant initiated, List<RollbackReport.Message> messages,
      List<RollbackReport.Step> steps, RollbackReport.Outcome outcome) {
    if (initiated == null || scenario == null || !plan.scenarios().containsKey(scenario)) return List.of();
    java.util.Set<String> events = new java.util.HashSet<>(List.of("start", "end"));
    plan.scenario(scenario).steps().forEach(s -> events.add(s.action().key()));
    List<RollbackReport.Scheduled> rows = new ArrayList<>();
    for (var c : plan.communications()) {
      if (!events.contains(c.after())) continue;
      Instant planned = initiated.plus(c.at().limit());
      RollbackReport.Message sent = messages.stream().filter(m -> m.message().equals(c.message()) && m.status().equals("sent")).findFirst().orElse(null);
      RollbackReport.Message tried = messages.stream().filter(m -> m.message().equals(c.message())).reduce((a, b) -> b).orElse(null);
      boolean reached = c.after().equals("start") || c.after().equals("end") && outcome != null && outcome != RollbackReport.Outcome.INTERRUPTED
          || steps.stream().anyMatch(s -> s.action().equals(c.after()) && s.ok());
      String state;
      if (sent != null) {
        state = punctuality(planned, sent.at());
      } else if (tried != null) {
        state = "NOT SENT: " + tried.status() + (tried.detail().isEmpty() ? "" : " (" + tried.detail() + ")");
      } else {
        state = reached ? "NOT SENT: nothing was journaled for it" : "not due: the run did not reach " + c.after();
      }
      rows.add(new RollbackReport.Scheduled(c.message(), c.channel(), c.owner(), c.at().limit(), planned, sent == null ? null : sent.at(), state));
    }
    return rows;
  }

  /**
   * A message sent no later than this after its planned time is on time: a T+0 message goes out a few milliseconds
   * after the decision it announces, and the report shows times to the second.
   */
  static final Duration ON_TIME_WITHIN = Duration.ofSeconds(1);

  /** "on time", or "LATE by 2m5s". */
  static String punctuality(Instant planned, Instant sent) {
    Duration late = Duration.between(planned, sent);
    return late.compareTo(ON_TIME_WITHIN) > 0 ? "LATE by " + lms.rollback.plan.Budget.format(late) : "on time";
  }

  /** A rehearsal says so, and which test of §9.1 it was: an auditor must not read it as a rollback of production. */
  private String rehearsal(JsonNode start) {
    if (start == null || !start.path("rehearsal").asBoolean(false)) return null;
    String test = start.path("rehearsalOf").asText(null);
    return plan.rehearsals().stream().filter(t -> t.test().equals(test)).findFirst()
        .map(t -> t.title() + " test of §9.1 (" + t.frequency() + ", " + t.environment() + ", " + t.owner() + ")")
        .orElse("a rehearsal (§9.1)" + (test == null ? "" : " of '" + test + "'"));
  }

  /**
   * What the report reads again after its fold: the parts, sign-offs and ids people add, and the follow-ups they tick
   * (with the entries the plan's follow-ups are done by).
   */
  private static final java.util.Set<Event> KEPT_FOR_LATER = java.util.EnumSet.of(Event.REPORT_IDENTITY, Event.REPORT_PART, Event.REPORT_SIGNOFF,
      Event.FOLLOWUP_DONE);

  /**
   * Where the reported run lies, found in one streaming pass: the last scenario run and the decisions that led to it
   * (back to the previous run's last entry), and whatever follows it; the whole journal when it holds no run.
   */
  private static final class Located {
    /** The index of the first entry reported: just after the boundary before the last start (0 without a start). */
    long from;
    /** The index of the last scenario.start, -1 when there is none. */
    long startAt = -1;
    /** The run's first entry: its start, or the journal's first entry when it holds no run. */
    Journal.Entry first;
    Journal.Entry last;
    String firstVerbEnvironment;
    String firstGateTrigger;
    String firstFiredTrigger;
  }

  private static Located locate(Path journalFile) {
    Located found = new Located();
    var walk = new Object() {
      long index;
      long afterBoundary;
    };
    Journal.reading(journalFile).forEach(e -> {
      long i = walk.index++;
      if (e.is(Event.SCENARIO_START)) {
        found.from = walk.afterBoundary;
        found.startAt = i;
        found.first = e;
        found.firstVerbEnvironment = null;
        found.firstGateTrigger = null;
        found.firstFiredTrigger = null;
      }
      if (found.first == null) found.first = e;
      if (found.firstVerbEnvironment == null && e.is(Event.VERB_START)) found.firstVerbEnvironment = e.data().path("environment").asText(null);
      if (found.firstGateTrigger == null && e.is(Event.GATE_DECISION)) found.firstGateTrigger = e.data().path("trigger").asText(null);
      if (found.firstFiredTrigger == null && e.is(Event.TRIGGER_FIRED)) found.firstFiredTrigger = e.data().path("trigger").asText(null);
      if (e.event() != null && RUN_BOUNDARIES.contains(e.event())) walk.afterBoundary = i + 1;
      found.last = e;
    });
    return found;
  }

  /**
   * After these, earlier decisions are not the next run's report: a run's end ({@link Event#RUN_ENDS}, the one
   * definition of it), and besides the end a start, and a stop at a failing step (the stopped run is not over — the
   * same command resumes it — but a decision recorded before its stop was that attempt's).
   */
  private static final java.util.Set<Event> RUN_BOUNDARIES = decisionBoundaries();

  private static java.util.Set<Event> decisionBoundaries() {
    java.util.Set<Event> boundaries = java.util.EnumSet.copyOf(Event.RUN_ENDS);
    boundaries.add(Event.SCENARIO_START);
    boundaries.add(Event.SCENARIO_STOPPED);
    return java.util.Collections.unmodifiableSet(boundaries);
  }

  private static void closeWait(Map<String, Instant> opened, List<RollbackReport.HumanWait> waits, JsonNode d, String outcome, Instant at) {
    Instant start = opened.remove(promptOf(d));
    if (start != null) {
      waits.add(new RollbackReport.HumanWait(promptOf(d) + " — " + d.path("role").asText() + ": " + outcome
          + ("timeout".equals(outcome) ? "" : " by " + d.path("by").asText()), start, Duration.between(start, at)));
    }
  }

  private static String promptOf(JsonNode d) {
    return d.path("trigger").asText() + (d.path("database").asBoolean(false) ? " database" : " level " + d.path("level").asInt());
  }

  /** What was measured against what, then why it did not pass, if it did not. */
  private static String checkDetail(JsonNode d) {
    String measured = d.path("measured").isNull() ? "" : d.path("measured").asText("");
    String threshold = d.path("threshold").isNull() ? "" : d.path("threshold").asText("");
    String detail = d.path("detail").asText("");
    String values = measured.isEmpty() ? "" : "measured " + measured + (threshold.isEmpty() ? "" : " (needs " + threshold + ")");
    return values.isEmpty() ? detail : detail.isEmpty() ? values : values + "; " + detail;
  }

  /** The follow-ups due from {@code from}, each ticked by the run's journal: the engine's own entry, or a person's. */
  private List<RollbackReport.FollowUp> followUps(List<RunbookTables.FollowUp> items, Instant from, List<Journal.Entry> journal) {
    return items.stream().map(f -> new RollbackReport.FollowUp(f.action(), f.owner(), f.due() == null ? null : from.plus(f.due().limit()),
        done(f, journal))).toList();
  }
  private String done(RunbookTables.FollowUp f, List<Journal.Entry> journal) {
    String type = f.doneWhen() == null ? null : f.doneWhen().split(":", 2)[0];
    String message = f.doneWhen() != null && f.doneWhen().contains(":") ? f.doneWhen().split(":", 2)[1] : null;
    for (Journal.Entry e : journal) {
      if (e.is(Event.FOLLOWUP_DONE) && e.data().path("action").asText("").equalsIgnoreCase(f.action())) {
        String note = e.data().path("note").asText("");
        return e.actor() + " " + plan.time().stamp(e.ts()) + (note.isBlank() ? "" : ": " + note);
      }
      if (type != null && e.type().equals(type) && (message == null || message.equals(e.data().path("message").asText()))) {
        return "lmsctl (" + f.doneWhen() + ") " + plan.time().stamp(e.ts());
      }
    }
    return null;
  }

}
