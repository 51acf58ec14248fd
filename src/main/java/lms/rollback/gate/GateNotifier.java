package lms.rollback.gate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.core.SecretMasker;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import lms.rollback.notify.RenderedMessage;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanTime;
import lms.rollback.plan.Role;
import lms.rollback.plan.RunbookTables;
import lms.rollback.plan.Trigger;

/**
 * Reaches the people who must decide: when a prompt opens (or escalates) and at each reminder,
 * its authority is told on the plan's gate channels — the war room, and email to the role's own
 * addresses — what is asked, by whom, why, until when, and where to click. Deliveries are
 * retried by the {@link Notifier} and never throw: a dead mail server must not hold up a rollback.
 */
public final class GateNotifier {
  /** What a notice says: a prompt opened, a prompt escalated to the next authority, or a reminder. */
  public enum Kind {
    opened(Event.GATE_NOTIFIED, "gate-opened"), escalated(Event.GATE_ESCALATED, "gate-escalated"), reminder(Event.GATE_REMINDED, "gate-reminder");

    final Event journalType;
    final String template;

    Kind(Event journalType, String template) {
      this.journalType = journalType;
      this.template = template;
    }
  }

  /** One notice: who was meant to be reached, and what each channel made of it. */
  public record Notice(Kind kind, Prompt prompt, String decider, List<ContactChain.Paged> reached, List<Notifier.Delivery> deliveries,
      Instant deadline, String link, Duration left, PlanTime time) {

    public boolean anyDelivered() {
      return deliveries.stream().anyMatch(d -> d.status() == Notifier.Status.sent);
    }

    public boolean anyFailed() {
      return deliveries.stream().anyMatch(d -> d.status() == Notifier.Status.failed);
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>(prompt.asData());
      m.put("kind", kind.name());
      m.put("decider", decider);
      m.put("reached", reached.stream().map(ContactChain.Paged::asData).toList());
      m.put("channels", deliveries.stream().map(d -> {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("channel", d.channel());
        c.put("status", d.status().name());
        c.put("detail", d.detail());
        c.put("attempts", d.attempts());
        return c;
      }).toList());
      m.put("deadline", deadline.toString());
      m.put("leftSeconds", left.toSeconds());
      m.put("link", link);
      return m;
    }

    /** For a person at a terminal: one line per channel. */
    public List<String> describe() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%s %s: %s decides by %s (%s left); reached %s", kind, prompt.describe(), decider,
          time.stamp(deadline), Budget.format(left), String.join(", ", reached.stream().map(ContactChain.Paged::title).toList())));
      deliveries.forEach(d -> lines.add(String.format("  %-12s %s%s", d.channel(), d.status(), d.detail() == null ? "" : " (" + d.detail() + ")")));
      lines.add("  link: " + (link == null ? "none (no --build-url)" : link));
      return lines;
    }
  }

  private final Plan plan;
  private final Journal journal;
  private final Notifier notifier;
  private final MessageTemplates templates;
  private final Clock clock;
  private final Authority authority;

  /** How this plan shows times to the people it reaches. */
  public PlanTime time() {
    return plan.time();
  }

  /** Delivering through a {@link Notifier} on the same templates, with the addresses and SMTP settings in {@code env}. */
  public static GateNotifier create(Plan plan, Journal journal, MessageTemplates templates, Map<String, String> env, int attempts, Progress progress) {
    Notifier notifier = new Notifier(plan, journal, templates, env, progress, attempts, Notifier.DEFAULT_BACKOFF, journal.clock());
    return new GateNotifier(plan, journal, notifier, templates, journal.clock());
  }

  public GateNotifier(Plan plan, Journal journal, Notifier notifier, MessageTemplates templates, Clock clock) {
    this.plan = plan;
    this.journal = journal;
    this.notifier = notifier;
    this.templates = templates;
    this.clock = clock;
    this.authority = new Authority(plan);
  }

  /**
   * Opens the prompt (journals gate.opened, unless it is open already: a re-run keeps the first
   * deadline) and tells its deciders; level 0 and the database prompt also page the contact chain.
   */
  public Notice open(Prompt p, PromptLog.Request request, double timeScale) {
    GatePlan gate = gateOf(p, request.scenario());
    List<Journal.Entry> entries = journal.read();
    // the same run as the gate's: a prompt opened by a run that has ended (refused, rejected, done) is not this one's
    PromptLog.Opened opened = PromptLog.open(RunLog.of(entries).current(), p).orElse(null);
    if (opened == null) {
      Duration window = scaled(gate.window(p), timeScale);
      Map<String, Object> data = new LinkedHashMap<>(p.asData());
      data.put("role", p.database() ? String.join(",", gate.twoPersonRule().roles()) : gate.level(p.level()).role());
      data.put("title", gate.title(p));
      data.put("submitter", gate.submitter(p));
      data.put("windowSeconds", window.toSeconds());
      data.put("windowMillis", window.toMillis());
      data.put("timeScale", timeScale);
      data.put("deadline", clock.instant().plus(window).toString());
      data.put("requestedBy", request.requestedBy());
      data.put("reason", request.reason());
      data.put("scenario", request.scenario());
      data.put("environment", request.environment());
      data.put("evidence", request.evidence() != null ? request.evidence() : evidence(entries, p.trigger()));
      data.put("link", request.link());
      Journal.Entry e = journal.append(Event.GATE_OPENED, data);
      opened = PromptLog.open(List.of(e), p).orElseThrow();
    }
    Kind kind = p.level() == 0 ? Kind.opened : Kind.escalated;
    List<String> deciders = p.database() ? gate.twoPersonRule().roles() : List.of(gate.level(p.level()).role());
    List<ContactChain.Paged> reached = reached(deciders, kind == Kind.opened ? new ContactChain(plan).paged(p.trigger(), opened.request().scenario()) : List.of());
    return send(kind, opened, gate, reached);
  }

  /** Reminds everyone who may still decide the prompt (after escalation: every level so far) that it is open. */
  public Notice remind(PromptLog.Opened opened) {
    GatePlan gate = gateOf(opened.prompt(), opened.request().scenario());
    Prompt p = opened.prompt();
    List<String> deciders = new ArrayList<>();
    if (p.database()) {
      deciders.addAll(gate.twoPersonRule().roles());
    } else {
      gate.levels().stream().filter(l -> l.level() <= p.level()).forEach(l -> deciders.add(l.role()));
    }
    return send(Kind.reminder, opened, gate, reached(deciders, List.of()));
  }

  /** When the reminders of an opened prompt are due, earliest first; a scaled window keeps the plan's proportions. */
  public List<Instant> reminderTimes(PromptLog.Opened opened) {
    Duration planWindow = scaled(opened.window(), 1 / opened.timeScale());
    return plan.gate().notices().reminderOffsets(planWindow).stream().map(d -> opened.at().plus(scaled(d, opened.timeScale()))).toList();
  }

  private Notice send(Kind kind, PromptLog.Opened opened, GatePlan gate, List<ContactChain.Paged> reached) {
    Instant now = clock.instant();
    // to the nearest second: "3s left" at the half of a 6s window, not the "2s" of 2.96s truncated
    Duration left = Duration.ofSeconds(Math.max(0, Math.round(Duration.between(now, opened.deadline()).toMillis() / 1000.0)));
    String filled = MessageTemplates.fill(templates.load(kind.template), values(kind, opened, gate, reached, left));
    // what a person typed (the reason) may hold a pasted token: messages get the journal's masking
    filled = SecretMasker.mask(filled);
    List<String> emails = reached.stream().flatMap(r -> r.email().stream()).distinct().toList();
    List<Notifier.Delivery> deliveries = new ArrayList<>();
    for (String channel : plan.gate().notices().channels()) {
      RenderedMessage rendered = RenderedMessage.of(kind.template, channel, filled);
      boolean email = plan.channels().get(channel).kind() == RunbookTables.ChannelKind.email;
      deliveries.add(notifier.deliver(rendered, email ? emails : null));
    }
    Notice notice = new Notice(kind, opened.prompt(), gate.title(opened.prompt()), reached, deliveries, opened.deadline(),
        opened.request().link(), left, plan.time());
    journal.append(kind.journalType, notice.asData());
    return notice;
  }

  private Map<String, String> values(Kind kind, PromptLog.Opened opened, GatePlan gate, List<ContactChain.Paged> reached, Duration left) {
    Prompt p = opened.prompt();
    PromptLog.Request r = opened.request();
    Trigger t = plan.trigger(p.trigger());
    Map<String, String> v = new HashMap<>();
    v.put("TRIGGER_ID", t.id());
    v.put("TRIGGER", t.id() + " " + t.condition() + (t.threshold() == null ? "" : " (" + t.threshold() + ")"));
    v.put("EVIDENCE", r.evidence());
    v.put("SCENARIO", r.scenario() == null ? "not chosen yet"
        : r.scenario() + " — " + plan.scenario(r.scenario()).title() + " (target " + plan.scenario(r.scenario()).target() + ")");
    v.put("ENVIRONMENT", r.environment() == null ? "not given" : r.environment());
    v.put("REQUESTED_BY", r.requestedBy() == null ? "not given" : r.requestedBy());
    v.put("REASON", r.reason() == null ? "no reason given" : r.reason());
    v.put("DECIDER", gate.title(p));
    v.put("WHO_MAY", p.database() ? "two different people, neither " + v.get("REQUESTED_BY")
        : "Jenkins users/groups " + String.join(", ", gate.submittersAt(p.level())));
    v.put("WINDOW", Budget.format(opened.window()) + (opened.timeScale() == 1.0 ? "" : " (sandbox time; the plan says "
        + Budget.format(gate.level(p.level()).window()) + ")"));
    v.put("DEADLINE", plan.time().stamp(opened.deadline()));
    v.put("LEFT", Budget.format(left));
    // the command to paste needs the run's journal and plan, which only the terminal that ran it has in full
    v.put("LINK", r.link() != null ? r.link() : "no link (not run from Jenkins): the terminal that ran the rollback shows the 'lmsctl gate record' "
        + "command to paste, for the " + (p.database() ? "database authorization" : "level " + p.level() + " decision") + " on " + p.trigger());
    if (p.database()) {
      v.put("NEXT", "nobody: without both approvals the database is not rolled back");
    } else {
      v.put("NEXT", p.level() + 1 < gate.levels().size() ? gate.level(p.level() + 1).title() + " (escalation, §3.1)"
          : "nobody: the rollback is then not authorized");
    }
    if (p.level() > 0 && !p.database()) {
      List<String> silent = gate.levels().stream().filter(l -> l.level() < p.level()).map(l -> l.title() + " (" + Budget.format(scaled(l.window(),
          opened.timeScale())) + ")").toList();
      v.put("NOT_ANSWERED", String.join(" and then ", silent));
    }
    v.put("PAGED", reached.stream().map(c -> c.title() + (c.phone().isEmpty() ? "" : " " + c.phone())).reduce((a, b) -> a + ", " + b).orElse("—"));
    v.put("KIND", kind.name().toUpperCase(Locale.ROOT));
    return v;
  }

  /** The deciders first, then the contact chain's roles not already among them, with their addresses. */
  private List<ContactChain.Paged> reached(List<String> deciders, List<ContactChain.Paged> chain) {
    List<ContactChain.Paged> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String role : deciders) {
      Role r = plan.roles().get(role);
      ContactChain.Paged inChain = chain.stream().filter(c -> c.role().equals(role)).findFirst().orElse(null);
      out.add(new ContactChain.Paged(inChain == null ? 0 : inChain.order(), role, r.title(), "decides", "authority of the prompt", r.email(), r.phone()));
      seen.add(role);
    }
    chain.stream().filter(c -> seen.add(c.role())).forEach(out::add);
    return out;
  }

  private GatePlan gateOf(Prompt p, String scenario) {
    GatePlan gate = authority.gateFor(p.trigger(), p.database() ? null : scenario,
        TriggerEvidence.inRunOf(journal, p.trigger()));
    if (p.database()) {
      return new GatePlan(gate.trigger(), gate.type(), gate.condition(), true, gate.levels(), authority.twoPersonRule(), gate.asManual());
    }
    if (!gate.approvalNeeded()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--trigger: " + p.trigger() + " held when the engine measured it: it rolls back at once (§2.1) "
          + "and has no prompt to notify about");
    }
    if (p.level() < 0 || p.level() >= gate.levels().size()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--level: " + p.level() + " does not exist for " + p.trigger() + "; allowed: 0-" + (gate.levels().size() - 1)
          + " (" + String.join(", ", gate.levels().stream().map(GatePlan.Level::title).toList()) + ")");
    }
    return gate;
  }

  /** The trigger's last measurement in the journal (lmsctl watch/triggers), or what a person's judgement rests on. */
  private static String evidence(List<Journal.Entry> entries, String trigger) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      Journal.Entry e = entries.get(i);
      var d = e.data();
      if (e.is(Event.TRIGGER_RECOMMENDATION) && trigger.equals(d.path("trigger").asText())) d = d.path("evidence");
      else if (!((e.is(Event.TRIGGER_FIRED) || e.is(Event.TRIGGER_EVALUATED)) && trigger.equals(d.path("trigger").asText()))) continue;
      if (TriggerEvidence.NOT_MEASURED.equals(d.path("state").asText())) {
        return "not measured (" + d.path("detail").asText() + "): " + trigger + " is judged by a person (see the reason)";
      }
      return d.path("condition").asText() + ": " + d.path("detail").asText() + " (measured " + d.path("at").asText() + ")";
    }
    return "no measurement journaled: " + trigger + " is judged by a person (see the reason)";
  }

  static Duration scaled(Duration d, double scale) {
    return scale == 1.0 ? d : Duration.ofMillis(Math.round(d.toMillis() * scale));
  }
}
