package lms.rollback.notify;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.plan.AuthorityChain;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Plan;
import lms.rollback.plan.StepAction;
import lms.rollback.plan.TriggerType;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.RollbackReport;

/** The values of the templates' placeholders, all read from the journal (and the plan's constants). */
final class MessageContext {

  private MessageContext() {}

  /** Set for a rehearsal's messages: what it is, on which environment (every message then says so first). */
  static final String REHEARSAL = "REHEARSAL";

  private static Instant eventTime(RollbackReport r, String after, Instant now) {
    if (after == null) return now;
    return switch (after) {
      case "start" -> r.decision() != null ? r.decision().at() : r.started();
      case "end", "rejected", "auto-not-completed" -> r.outcome() == RollbackReport.Outcome.INTERRUPTED ? now : r.ended();
      default -> r.steps().stream().filter(s -> s.action().equals(after)).reduce((a, b) -> b)
          .map(s -> s.start().plus(s.took())).orElse(now);
    };
  }

  /** Whom an automatic trigger's alert reaches for the journal's trigger and scenario ({@link Plan#alertedRoles}). */
  static List<String> alertedRoles(Plan plan, Path journalFile) {
    RollbackReport r = new ReportBuilder(plan).build(journalFile, null, null);
    return alertedRoles(plan, r);
  }

  private static List<String> alertedRoles(Plan plan, RollbackReport r) {
    String scenario = r.scenario() != null && plan.scenarios().containsKey(r.scenario()) ? r.scenario() : null;
    return plan.alertedRoles(r.trigger() == null ? null : r.trigger().id(), scenario);
  }

  /**
   * What the engine measured of {@code trigger}, as the journal's last measurement of it says: the condition and the
   * evidence — never empty, "nothing measured" when there is none.
   */
  private static String evidence(List<Journal.Entry> entries, String trigger) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      Journal.Entry e = entries.get(i);
      if (!(e.is(Event.TRIGGER_FIRED) || e.is(Event.TRIGGER_EVALUATED)) || !trigger.equals(e.data().path("trigger").asText())) continue;
      String condition = e.data().path("condition").asText("");
      String detail = e.data().path("detail").asText("");
      return (condition.isBlank() ? "" : condition + ": ") + (detail.isBlank() ? "no measured value was journaled" : detail);
    }
    return "nothing measured of " + trigger + " was journaled (named, not measured)";
  }

  /**
   * {@code after}: the event the message reports (a communication's "after": start, end, rejected or a step); its
   * time, from the journal, is the message's "Time:" — not when it happened to be rendered (a mail sent later, say).
   */
  static Map<String, String> from(Plan plan, Path journalFile, Instant now, String after) {
    RollbackReport r = new ReportBuilder(plan).build(journalFile, null, null);
    Map<String, String> v = new HashMap<>();
    lms.rollback.plan.PlanTime time = plan.time();
    Instant at = eventTime(r, after, now);
    v.put("TIMESTAMP", time.stamp(at));
    v.put("DATE", time.date(at));
    v.put("ENVIRONMENT", r.environment());
    // the journal's entry as it stands when the message is rendered, published with it: the chain's anchor outside the machine
    var chain = lms.rollback.audit.ChainVerifier.verify(journalFile, null);
    v.put("JOURNAL_ANCHOR", chain.intact() && chain.entries() > 0 ? chain.entries() + ":" + chain.head() : "unavailable (" + chain.problem() + ")");
    v.put("ENVIRONMENT_TITLE", r.environment() == null || r.environment().isEmpty() ? "" : Character.toUpperCase(r.environment().charAt(0)) + r.environment().substring(1));
    if (r.rehearsal() != null) v.put(REHEARSAL, r.rehearsal() + " on " + r.environment());
    if (r.trigger() != null) {
      v.put("TRIGGER", r.trigger().id() + " " + r.trigger().condition() + (r.trigger().threshold() == null ? "" : " (" + r.trigger().threshold() + ")")
          + (r.trigger().reason() == null ? "" : ": " + r.trigger().reason()));
      v.put("USER_IMPACT", "Users of " + r.environment() + " were affected by " + r.trigger().condition().toLowerCase(java.util.Locale.ROOT) + " ("
          + r.trigger().id() + ")" + (r.trigger().reason() == null ? "" : "; " + r.trigger().reason()));
      v.put("BRIEF_REASON", r.trigger().condition().toLowerCase(java.util.Locale.ROOT) + " (" + r.trigger().id() + ")");
    }
    v.put("AUTHORITY", r.authorizedBy());
    v.put("DECISION", r.decidedBy() + (r.escalations().isEmpty() ? "" : "; " + String.join("; ", r.escalations())));
    v.put("ETA", String.valueOf((r.scenarioTarget() != null ? r.scenarioTarget() : r.targetTime()).toMinutes()));
    v.put("VERIFY_BUDGET", plan.stepBudget(StepAction.VERIFY_BLUE).text());
    long passed = r.checks().stream().filter(RollbackReport.Check::passed).count();
    v.put("CHECKS", r.checks().isEmpty() ? "none yet" : passed + " of " + r.checks().size() + " passed"
        + r.checks().stream().filter(c -> !c.passed()).map(c -> "; FAILED " + c.name() + ": " + c.detail()).reduce("", String::concat));
    // what users have decides what every end message says: a late cleanup is a follow-up, an unchecked Blue is not "operational"
    RollbackReport.Restoration restored = r.restoration();
    String notChecked = String.join(", ", r.notChecked());
    String why = r.trigger() == null ? "an issue after the release" : r.trigger().condition().toLowerCase(java.util.Locale.ROOT) + " (" + r.trigger().id() + ")";
    String stoppedWhere = where(r.stoppedAt(), "at");
    String remaining = remainingSteps(plan, r);
    String resolved = "resolved. The deployment that caused degraded service was rolled back at " + time.stamp(at) + "; the service is operational.";
    // a run still going (or lost mid-way) has not failed: it is not complete
    boolean going = r.outcome() == RollbackReport.Outcome.INTERRUPTED;
    String[] said = switch (restored) {
      case COMPLETE -> new String[] {"COMPLETE", "Completed", "✅", "OPERATIONAL", resolved, "",
          "The LMS " + r.environment() + " deployment has been rolled back due to " + why + "."};
      case RESTORED -> new String[] {"DONE: SERVICE RESTORED (follow-up open: Green still running, cleanup overdue)", "Completed - Service Restored", "✅",
          "OPERATIONAL (the previous release serves all traffic and passed its checks; the old release's shutdown is still being finished)", resolved,
          "Follow-up: Green still running, cleanup overdue: " + r.stopReason() + remaining,
          "The LMS " + r.environment() + " deployment has been rolled back due to " + why + ": the previous release serves all traffic and passed its"
              + " checks. Shutting down the release that was rolled back is taking longer than planned; the war room is finishing it."};
      case UNVERIFIED -> new String[] {"SWITCHED, UNVERIFIED (not checked: " + notChecked + ")", "Switched - Not Yet Verified", "⚠️",
          "NOT CONFIRMED - traffic is on the previous release; not checked yet: " + notChecked,
          "traffic has been moved back to the previous release; we are still confirming that the service is healthy. Next update within "
              + v.get("ETA") + " minutes.",
          "Not checked: " + notChecked + (r.outcome() == RollbackReport.Outcome.COMPLETED ? "" : "; stopped " + stoppedWhere + ": " + r.stopReason()) + remaining,
          "Traffic of the LMS " + r.environment() + " deployment was switched back to the previous release due to " + why
              + ", but the service's health was not verified (not checked: " + notChecked + "). The war room is confirming it."};
      case NOT_RESTORED -> new String[] {going ? "NOT COMPLETE" : "FAILED", going ? "Not Complete" : "Failed", going ? "⏳" : "❌",
          "DEGRADED - the rollback did not complete; the war room is working on it",
          "still degraded. The rollback did not complete" + (r.stoppedAt() == null ? "" : " (it stopped at " + r.stoppedAt() + ")")
              + "; our engineers are working on it. Next update within " + v.get("ETA") + " minutes.",
          "Stopped " + stoppedWhere + ": " + r.stopReason(),
          !r.changedAnything() ? "A rollback of the LMS " + r.environment() + " deployment was requested due to " + why + " but did not start: "
              + r.stopReason() + ". Nothing was changed."
              : "A rollback of the LMS " + r.environment() + " deployment was started due to " + why + " but did NOT complete: it stopped at "
                  + r.stoppedAt() + " (" + r.stopReason() + "). The war room is working on it."};
    };
    String[] keys = {"OUTCOME", "OUTCOME_TITLE", "OUTCOME_ICON", "SERVICE_STATUS", "STATUS_PAGE_END", "STOPPED", "OUTCOME_SENTENCE"};
    for (int k = 0; k < keys.length; k++) v.put(keys[k], said[k]);
    v.put("INTERRUPTED", "It stopped " + (r.stoppedAt() == null ? "mid-way" : where(r.stoppedAt(), "during")) + ": " + r.stopReason() + ".");
    AuthorityChain automatic = plan.authorityMatrix().get(TriggerType.AUTOMATIC);
    if (automatic != null && plan.roles().containsKey(automatic.backup())) {
      var who = plan.roles().get(automatic.backup());
      v.put("WHO_MUST_ACT", who.title() + (who.email().isEmpty() ? "" : " (" + String.join(", ", who.email()) + ")")
          + ": take the rollback over — fix what stopped it, then run it again with lmsctl rollback --trigger "
          + (r.trigger() == null ? "ID" : r.trigger().id()) + " (it resumes from its journal) — or escalate to " + (plan.roles().containsKey(automatic.escalation()) ? plan.roles().get(automatic.escalation()).title() : automatic.escalation()));
    }
    v.put("VERSION", r.blueVersion() != null ? r.blueVersion() : "unknown (not read from Blue)");
    v.putIfAbsent("USER_IMPACT", "unknown: no trigger was journaled");
    v.putIfAbsent("TRIGGER", "not recorded (no trigger was journaled: the steps were run one by one)");
    v.put("TOTAL", Budget.format(r.total()));
    v.put("TARGET", Budget.format(r.targetTime()));
    v.put("STARTED", time.stamp(r.started()));
    v.put("COMPLETED", r.outcome() == RollbackReport.Outcome.INTERRUPTED ? "in progress" : time.stamp(r.ended()));
    v.put("ENDED_LINE", restored == RollbackReport.Restoration.RESTORED
        ? "Service restored: " + time.stamp(r.ended()) + " (Green's shutdown is a follow-up: cleanup overdue)"
        : switch (r.outcome()) {
      case COMPLETED -> "Rollback completed: " + time.stamp(r.ended()) + (restored == RollbackReport.Restoration.UNVERIFIED ? " (not verified)" : "");
      case INTERRUPTED -> "Rollback interrupted " + (r.stoppedAt() == null ? "" : "at " + r.stoppedAt() + " ") + "(it continues when run again)";
      default -> "Rollback stopped: " + time.stamp(r.ended()) + (r.stoppedAt() == null ? "" : " at " + r.stoppedAt()) + ", not completed";
    });
    // what this scenario does next, in its own steps' words: D restores behind the maintenance page, it switches nothing
    if (r.scenario() != null && plan.scenarios().containsKey(r.scenario())) {
      var sc = plan.scenario(r.scenario());
      v.put("CURRENT_STATUS", "Scenario " + r.scenario() + " (" + sc.title() + ") under way: "
          + String.join(" → ", sc.steps().stream().map(s -> s.title()).toList()));
    } else {
      v.put("CURRENT_STATUS", "Rollback under way");
    }
    v.put("SUPPORT_EMAIL", plan.supportEmail());
    var pause = plan.preRollbackChecklist().pauseItem();
    v.put("PAUSE_BUDGET", pause.budget() != null ? pause.budget().text() : "the announce step's budget");
    var databaseSteps = r.steps().stream().filter(s -> s.action().contains("database")).toList();
    v.put("DATA_CONSIDERATIONS", databaseSteps.isEmpty() ? "No database changes were rolled back"
        : databaseSteps.stream().allMatch(RollbackReport.Step::ok)
            ? (databaseSteps.stream().anyMatch(s -> s.action().equals("restore-database")) ? "The database was restored from the backup"
                : "The database was rolled back (its migrations downgraded)") + "; see the incident report"
        : "The database was NOT rolled back: " + databaseSteps.stream().filter(s -> !s.ok()).map(s -> s.title() + " failed (" + s.detail() + ")")
            .findFirst().orElse("") + "; the DBA on call has it");
    List<Journal.Entry> entries = new Journal(journalFile.getParent(), "notify").read();
    v.put("EVIDENCE", r.trigger() == null ? "no trigger was journaled" : evidence(entries, r.trigger().id()));
    v.put("PAGED", String.join(", ", alertedRoles(plan, r).stream().map(role -> plan.roles().get(role).title()).toList()));
    lastData(entries, Event.SWITCH_AFTER).ifPresent(d -> {
      StringBuilder routes = new StringBuilder();
      d.path("routes").forEach(x -> routes.append(routes.length() == 0 ? "" : ", ").append(x.path("host").asText()).append(' ')
          .append(x.path("weight").asInt()).append('%'));
      v.put("ROUTES", "Routes: " + routes);
    });
    // the watch's alerts: the manual trigger that holds, with what was measured and who decides by when (§3.2)
    lastData(entries, Event.TRIGGER_RECOMMENDATION).ifPresent(d -> {
      v.put("ALERT_TRIGGER_ID", d.path("trigger").asText());
      var threshold = plan.triggers().stream().filter(t -> t.id().equals(d.path("trigger").asText())).findFirst();
      v.put("ALERT_TRIGGER", d.path("trigger").asText() + " " + d.path("condition").asText() + threshold.map(t -> t.threshold() == null ? "" : " (" + t.threshold() + ")").orElse(""));
      v.put("MEASURED", d.path("evidence").path("detail").asText("nothing measured"));
      var levels = d.path("gate").path("levels");
      int level = d.path("escalated").asBoolean(false) && levels.size() > 1 ? 1 : 0;
      v.put("DECIDER", levels.path(level).path("title").asText("the trigger's authority"));
      v.put("DECISION_WINDOW", Budget.format(java.time.Duration.ofSeconds(levels.path(level).path("windowSeconds").asLong())));
      v.put("NEXT_DECIDER", levels.size() > level + 1 ? levels.path(level + 1).path("title").asText() : "nobody above (the chain ends here)");
    });
    lastData(entries, Event.TRIGGER_BLOCKED).ifPresent(d -> {
      v.put("BLOCKED_TRIGGER", d.path("trigger").asText());
      v.put("BLOCKED_REASON", d.path("reason").asText());
    });
    lastData(entries, Event.REHEARSAL_NOT_RUN).ifPresent(d -> {
      v.put("NOT_RUN_TEST", d.path("title").asText() + " test of §9.1 (" + d.path("frequency").asText() + ", " + d.path("owner").asText() + ")");
      v.put("NOT_RUN_TEST_ID", d.path("test").asText());
      v.put("NOT_RUN_REASON", d.path("reason").asText());
      v.put("ENVIRONMENT", d.path("environment").asText());
    });
    v.values().removeIf(java.util.Objects::isNull);
    return v;
  }

  /** Where a run stopped, as a phrase: "after verify-blue" / "before its decision" as said, else {@code preposition} and the step. */
  private static String where(String stoppedAt, String preposition) {
    return stoppedAt != null && (stoppedAt.startsWith("after") || stoppedAt.startsWith("before")) ? stoppedAt : preposition + " " + stoppedAt;
  }

  /** The scenario's steps after the one the run stopped at, which it did not do: "; not done: Database rollback, Confirm success". */
  private static String remainingSteps(Plan plan, RollbackReport r) {
    if (r.scenario() == null || !plan.scenarios().containsKey(r.scenario()) || r.steps().isEmpty()) return "";
    String last = r.steps().get(r.steps().size() - 1).action();
    List<String> titles = new java.util.ArrayList<>();
    boolean after = false;
    for (var s : plan.scenario(r.scenario()).steps()) {
      if (after) titles.add(s.title());
      if (s.action().key().equals(last)) after = true;
    }
    return titles.isEmpty() ? "" : "; not done: " + String.join(", ", titles);
  }

  private static java.util.Optional<com.fasterxml.jackson.databind.JsonNode> lastData(List<Journal.Entry> entries, Event type) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).is(type)) return java.util.Optional.of(entries.get(i).data());
    }
    return java.util.Optional.empty();
  }
}
