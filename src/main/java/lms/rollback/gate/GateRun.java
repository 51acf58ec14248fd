package lms.rollback.gate;

import lms.rollback.audit.Login;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.Progress;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanTime;

/**
 * The gate of one rollback as a state machine over the journal — the only one: the CLI, the
 * sandbox and Jenkins' input prompts all drive it. Its state is derived from the gate entries of
 * the current run (since the last run that ended): which prompt is open, who may decide it and
 * until when, or how the gate closed. {@link #advance} moves it on by itself only where time does
 * (opening a prompt, recording a window that ran out, escalating); decisions come from people
 * through {@link DecisionRecorder}.
 */
public final class GateRun {

  static final String REHEARSAL = "a rehearsal (§9.1) needs no approval";

  public enum Status {
    NOT_REQUIRED, OPEN, APPROVED, REJECTED, EXPIRED;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** A decision that counted: who, as which authority, at which prompt, and who recorded it. */
  public record Approval(Instant at, String by, String role, int level, boolean database, String reason, String recordedBy, Login login) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", at.toString());
      m.put("by", by);
      m.put("role", role);
      m.put(database ? "database" : "level", database ? true : level);
      m.put("reason", reason);
      m.put("recordedBy", recordedBy);
      if (login != null) m.put("login", login.describe());
      return m;
    }
  }

  /** Where the gate is. {@code prompt} and {@code opened} only when OPEN ({@code opened} null until notified). */
  public record State(Status status, String trigger, Prompt prompt, PromptLog.Opened opened, String title, String submitter,
      Duration left, String message, List<Approval> approvals, List<String> escalations, String closedBy, PlanTime time, List<String> page) {

    public State(Status status, String trigger, Prompt prompt, PromptLog.Opened opened, String title, String submitter,
        Duration left, String message, List<Approval> approvals, List<String> escalations, String closedBy, PlanTime time) {
      this(status, trigger, prompt, opened, title, submitter, left, message, approvals, escalations, closedBy, time, List.of());
    }

    public boolean decided() {
      return status == Status.APPROVED || status == Status.NOT_REQUIRED;
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status.key());
      m.put("trigger", trigger);
      if (prompt != null) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", prompt.database() ? "LmsDatabaseGate" : "LmsGate" + prompt.level());
        p.put("level", prompt.level());
        p.put("database", prompt.database());
        p.put("title", title);
        p.put("submitter", submitter);
        p.put("leftSeconds", Math.max(0, (left.toMillis() + 999) / 1000));
        p.put("deadline", opened == null ? null : opened.deadline().toString());
        p.put("message", message);
        // what the person deciding at 2 a.m. needs on the input page: what, where, why (with the evidence), who asked, what
        // happens, and until when
        p.put("page", page);
        m.put("prompt", p);
      }
      m.put("approvals", approvals.stream().map(Approval::asData).toList());
      m.put("escalations", escalations);
      if (closedBy != null) m.put("closedBy", closedBy);
      return m;
    }

    /** One line for a person. */
    public String describe() {
      return switch (status) {
        case NOT_REQUIRED -> closedBy != null ? closedBy : trigger + " is automatic: no approval needed (§2.1)";
        case APPROVED -> "approved by " + String.join(" and ", approvals.stream().map(a -> a.by() + " (" + a.role() + ")").toList());
        case REJECTED -> "rejected by " + closedBy;
        case EXPIRED -> "nobody decided in time (" + closedBy + ")";
        case OPEN -> "waiting for " + title + " (" + submitter + ")" + (opened == null ? "" : " until "
            + time.stamp(opened.deadline()) + ", " + Budget.format(left) + " left");
      };
    }
  }

  private final Plan plan;
  private final Journal journal;
  private final Clock clock;
  private final Authority authority;

  public GateRun(Plan plan, Journal journal, Clock clock) {
    this.plan = plan;
    this.journal = journal;
    this.clock = clock;
    this.authority = new Authority(plan);
  }

  /**
   * The gate of a rollback of {@code scenario} for {@code trigger}, as the journal has it. A rehearsal
   * needs no two-person authorization; an approval by the requester never counts.
   */
  public State state(String trigger, String scenario, boolean rehearsal, String requestedBy) {
    List<Approval> approvals = new ArrayList<>();
    List<String> escalations = new ArrayList<>();
    if (rehearsal) {
      // a rehearsal (§9.1) is scheduled, never on production: nobody is woken at 3 a.m. to approve it
      return new State(Status.NOT_REQUIRED, trigger, null, null, null, null, Duration.ZERO, null, approvals, escalations, REHEARSAL, plan.time());
    }
    RunLog log = RunLog.read(journal);
    List<Journal.Entry> entries = log.current();
    // the requester is the run's, as its start fixed it: a later call naming someone else cannot make the requester's approval count
    RunLog.Start start = log.unfinished();
    String requester = start != null && start.requestedBy() != null ? start.requestedBy() : requestedBy;
    TriggerEvidence evidence = TriggerEvidence.in(entries, trigger);
    GatePlan gate = authority.gateFor(trigger, scenario, evidence);
    // a measured automatic trigger decides the rollback itself; a database step still needs its two people (§4.2 step 4)
    boolean levelDecided = !gate.approvalNeeded();
    if (levelDecided && gate.twoPersonRule() == null) {
      return new State(Status.NOT_REQUIRED, trigger, null, null, null, null, Duration.ZERO, null, approvals, escalations, evidence.describe(), plan.time());
    }
    Set<Integer> timedOut = new TreeSet<>();
    Approval levelApproval = null;
    Map<String, List<String>> databaseApprovers = new LinkedHashMap<>();
    String rejectedBy = null;
    String databaseClosed = null;
    // every decision counted is proven again here, against the plan, for this run (#38): the chain proves order, not authorship
    RunLog.Start run = start != null && trigger.equals(start.trigger()) ? start : null;
    for (Journal.Entry e : entries) {
      JsonNode d = e.data();
      if (!trigger.equals(d.path("trigger").asText())) continue;
      if (!e.is(Event.GATE_DECISION)) continue;
      boolean database = d.path("database").asBoolean(false);
      String kind = d.path("decision").asText();
      String by = d.path("by").asText();
      Approval a = new Approval(e.ts(), by, d.path("role").asText(), d.path("level").asInt(), database, d.path("reason").asText(""),
          e.actor(), Login.of(d));
      if (kind.equals("timeout")) {
        if (database) databaseClosed = "the database authorization timed out";
        else if (timedOut.add(a.level())) escalations.add(gate.level(a.level()).title() + " did not answer within " + Budget.format(gate.level(a.level()).window()));
        continue;
      }
      if (kind.equals("approve") && Identity.same(by, requester)) {
        continue; // recorded against another requester: the requester of this run may not approve it
      }
      // a level's decision of a trigger the engine measured to hold is not needed, and not held to that gate's levels
      if (database || !levelDecided) DecisionProof.require(plan, gate, e, run);
      if (kind.equals("reject")) {
        rejectedBy = by + " (" + a.role() + ")";
      } else if (database) {
        approvals.add(a);
        databaseApprovers.put(Identity.normalize(by), rolesHeld(d));
      } else if (levelApproval == null) {
        levelApproval = a;
        approvals.add(0, a);
      }
    }
    if (rejectedBy != null) return closed(Status.REJECTED, trigger, approvals, escalations, rejectedBy);
    if (levelApproval == null && !levelDecided) {
      int level = 0;
      while (timedOut.contains(level)) level++;
      if (level >= gate.levels().size()) {
        return closed(Status.EXPIRED, trigger, approvals, escalations, "no answer from " + String.join(", then ",
            gate.levels().stream().map(GatePlan.Level::title).toList()));
      }
      return open(gate, Prompt.level(trigger, level), entries, approvals, escalations, requester, scenario, start, evidence);
    }
    if (gate.twoPersonRule() == null || rehearsal) return closed(Status.APPROVED, trigger, approvals, escalations, null);
    // authorized by two proven approvals covering both roles, as their groups give them now — not by an entry saying so
    if (DecisionRecorder.twoPeopleCovering(gate.twoPersonRule().roles(), databaseApprovers) != null) {
      return closed(Status.APPROVED, trigger, approvals, escalations, null);
    }
    if (databaseClosed != null) return closed(Status.EXPIRED, trigger, approvals, escalations, databaseClosed);
    return open(gate, Prompt.database(trigger), entries, approvals, escalations, requester, scenario, start, evidence);
  }

  /** The roles of the two-person rule a database approval's decider holds, by their id or journaled groups. */
  private List<String> rolesHeld(JsonNode decision) {
    GatePlan.TwoPersonRule rule = authority.twoPersonRule();
    List<String> groups = new ArrayList<>();
    decision.path("groups").forEach(g -> groups.add(g.asText()));
    return rule.roles().stream().filter(r -> Authority.holds(decision.path("by").asText(), groups, rule.holders().get(r))).toList();
  }

  /**
   * Moves the gate on where time does: opens the state's prompt and tells its deciders (unless
   * {@code notifier} is null: the prompt then stays unopened), records a window that ran out and
   * escalates. Returns the state it leaves the gate in.
   */
  public State advance(String trigger, String scenario, boolean rehearsal, PromptLog.Request request, GateNotifier notifier,
      double timeScale) {
    while (true) {
      State s = state(trigger, scenario, rehearsal, request.requestedBy());
      if (s.status() != Status.OPEN || notifier == null) return s;
      if (s.opened() == null) {
        notifier.open(s.prompt(), requestOf(s.prompt(), request), timeScale);
        continue;
      }
      if (!clock.instant().isBefore(s.opened().deadline())) {
        new DecisionRecorder(plan, journal, clock).record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.timeout, "timeout",
            List.of(), null, s.prompt().level(), request.requestedBy(), s.prompt().database(), false));
        continue;
      }
      return s;
    }
  }

  /**
   * Waits for people, for the terminal's {@code --wait} and the sandbox: each prompt opened with
   * its notice, reminded as it falls due, escalated when its window runs out, until the gate closes.
   */
  public State await(String trigger, String scenario, boolean rehearsal, PromptLog.Request request, GateNotifier notifier,
      double timeScale, Duration poll, Progress progress) {
    return await(trigger, scenario, rehearsal, request, notifier, timeScale, poll, progress, null);
  }

  /**
   * The same, taking the answers a build leaves in {@code inbox} (null: none) at every look and telling it each state the
   * gate reaches: the build's input prompts follow this process's gate instead of keeping a clock of their own.
   */
  public State await(String trigger, String scenario, boolean rehearsal, PromptLog.Request request, GateNotifier notifier,
      double timeScale, Duration poll, Progress progress, DecisionInbox inbox) {
    return await(trigger, scenario, rehearsal, request, notifier, timeScale, poll, progress, inbox, () -> { });
  }

  /** The same, running {@code eachLook} before each look too: it throws to end the wait (the run was superseded, say). */
  public State await(String trigger, String scenario, boolean rehearsal, PromptLog.Request request, GateNotifier notifier,
      double timeScale, Duration poll, Progress progress, DecisionInbox inbox, Runnable eachLook) {
    Runnable take = inbox == null ? () -> { } : () -> inbox.take(() -> advance(trigger, scenario, rehearsal, request, notifier, timeScale));
    Runnable answers = () -> {
      eachLook.run();
      take.run();
    };
    while (true) {
      State s = advance(trigger, scenario, rehearsal, request, notifier, timeScale);
      if (inbox != null) inbox.publish(s);
      if (s.status() != Status.OPEN) return s;
      progress.say("  gate: " + s.describe());
      Prompt p = s.prompt();
      Thread reminders = new Thread(() -> new GateReminders(notifier, journal, clock, poll, Progress.SILENT).run(p), "gate-reminders");
      reminders.setDaemon(true);
      reminders.start();
      PromptLog.awaitClosed(journal, p, s.opened().seq(), s.opened().deadline(), poll, clock, answers);
      // a window that ran out is recorded by the next advance, which closes the prompt and so ends the reminders
      State next = advance(trigger, scenario, rehearsal, request, notifier, timeScale);
      try {
        reminders.join(poll.toMillis() * 4 + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return next;
      }
      if (next.status() != Status.OPEN) {
        if (inbox != null) inbox.publish(next);
        return next;
      }
    }
  }

  /**
   * The request a notice tells about: what the caller gives, each part it lacks (a `gate record` knows the build's link but
   * not the reason) taken from the request the first prompt of this trigger was opened with.
   */
  private PromptLog.Request requestOf(Prompt p, PromptLog.Request given) {
    if (given.reason() != null && given.link() != null) return given;
    for (Journal.Entry e : RunLog.read(journal).current()) {
      if (e.is(Event.GATE_OPENED) && p.trigger().equals(e.data().path("trigger").asText())) {
        PromptLog.Request first = PromptLog.Request.from(e.data());
        return new PromptLog.Request(or(given.requestedBy(), first.requestedBy()), or(given.reason(), first.reason()),
            or(given.scenario(), first.scenario()), or(given.environment(), first.environment()), or(given.evidence(), first.evidence()),
            or(given.link(), first.link()));
      }
    }
    return given;
  }

  private static String or(String a, String b) {
    return a != null ? a : b;
  }

  private State open(GatePlan gate, Prompt p, List<Journal.Entry> entries, List<Approval> approvals, List<String> escalations, String requestedBy,
      String scenario, RunLog.Start start, TriggerEvidence evidence) {
    PromptLog.Opened opened = PromptLog.open(entries, p).orElse(null);
    String title = gate.title(p);
    Duration left = opened == null ? gate.window(p) : Duration.between(clock.instant(), opened.deadline());
    if (left.isNegative()) left = Duration.ZERO;
    String who = requestedBy == null ? "" : " Requested by " + requestedBy + ".";
    String message = p.database()
        ? "Database rollback for " + p.trigger() + ": needs " + title + ", two different people, neither the requester." + who
        : "Roll back for " + p.trigger() + "? " + title + " decides" + (escalations.isEmpty() ? "" : " (escalated: " + String.join("; ", escalations) + ")")
            + "." + who + (gate.asManual() == null ? "" : " " + gate.asManual() + ".");
    return new State(Status.OPEN, p.trigger(), p, opened, title, gate.submitter(p), left, message, approvals, escalations, null, plan.time(),
        page(gate, p, opened, left, requestedBy, scenario, start, evidence, escalations));
  }

  /** The decider's page, line by line: the rollback asked for, the trigger and what was measured, who asked and why, what happens, the deadline. */
  private List<String> page(GatePlan gate, Prompt p, PromptLog.Opened opened, Duration left, String requestedBy, String scenario, RunLog.Start start,
      TriggerEvidence evidence, List<String> escalations) {
    List<String> lines = new ArrayList<>();
    String environment = start == null ? null : start.environment();
    String name = scenario == null ? null : scenario;
    lms.rollback.plan.Scenario planned = name != null && plan.scenarios().containsKey(name) ? plan.scenario(name) : null;
    lines.add((p.database() ? "Authorize the DATABASE rollback" : "Roll back") + " LMS" + (environment == null ? "" : " " + environment)
        + (planned == null ? "" : " — scenario " + name + ": " + planned.title()) + "?");
    var t = plan.triggers().stream().filter(x -> x.id().equals(p.trigger())).findFirst().orElse(null);
    lines.add("Trigger: " + p.trigger() + (t == null ? "" : " — " + t.condition() + (t.threshold() == null ? "" : " (" + t.threshold() + ")"))
        + ". " + (evidence == null ? "Measured: nothing journaled for this run; judged by the person deciding."
            : evidence.measured() ? "Measured: " + evidence.reading() + "." : "Measured: nothing, " + evidence.detail() + "; judged by the person deciding."));
    String reason = start == null ? null : start.reason();
    lines.add("Requested by " + (requestedBy == null ? "?" : requestedBy) + (reason == null ? "" : ": " + reason) + (requestedBy == null ? ""
        : " (the requester may not approve)"));
    if (planned != null) {
      lines.add("On approval: " + String.join(" → ", planned.steps().stream().map(lms.rollback.plan.Scenario.Step::title).toList())
          + " (target " + planned.target() + ").");
    }
    lines.add(gate.title(p) + (gate.title(p).contains(" and ") ? " decide" : " decides") + (escalations.isEmpty() ? "" : " (escalated: " + String.join("; ", escalations) + ")") + ".");
    String next = p.database() ? "the rollback is not done (nobody decided)"
        : p.level() + 1 >= gate.levels().size() ? "the rollback is not done (nobody decided; the plan names nobody above " + gate.title(p) + " to escalate to)"
        : "it escalates to " + gate.level(p.level() + 1).title();
    lines.add("Decide by " + (opened == null ? "the end of the window (" + Budget.format(left) + ")" : time().stamp(opened.deadline())
        + " (" + Budget.format(left) + " left)") + "; then " + next + ".");
    return lines;
  }

  private PlanTime time() {
    return plan.time();
  }

  private State closed(Status status, String trigger, List<Approval> approvals, List<String> escalations, String closedBy) {
    return new State(status, trigger, null, null, null, null, Duration.ZERO, null, approvals, escalations, closedBy, plan.time());
  }
}
