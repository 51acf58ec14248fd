package lms.rollback.report;

import static lms.rollback.report.Formats.duration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The §8.2 template's sections as the run filled them, for every format alike: what the journal knows is written
 * out; what only a person can add says so and by when, rather than "[Estimate]".
 */
final class IncidentSections {
  private IncidentSections() {}

  /** One row of the §8.2 timeline. */
  record Event(Instant at, String what) {}

  /** From the deployment and the detection of the issue to the end of the rollback. */
  static List<Event> timeline(RollbackReport r) {
    List<Event> events = new ArrayList<>();
    events.add(new Event(r.deployed(), r.deployed() == null ? "Deployment started — not known (Green's deployment time was not recorded)"
        : "Deployment started (Green deployed)"));
    String trigger = r.trigger() == null ? "trigger" : r.trigger().id();
    // unmeasured, the issue is known to the journal from the request that reports it; when a person first saw it is not
    events.add(r.detected() != null ? new Event(r.detected(), "Issue detected (" + trigger + " held)")
        : new Event(r.started(), "Issue reported with the rollback request (" + trigger + "; when it was first seen is not journaled)"));
    events.add(new Event(r.started(), "Rollback requested" + (r.scenario() == null ? "" : " (scenario " + r.scenario() + ")")
        + (r.requestedBy() == null ? "" : " by " + r.requestedBy())));
    for (RollbackReport.Escalation escalation : r.escalated()) events.add(new Event(escalation.at(), "Escalated: " + escalation.what()));
    for (RollbackReport.Decision d : r.decisions()) events.add(new Event(d.at(), "Rollback decision: " + d.describe()));
    for (RollbackReport.Step s : r.steps()) events.add(new Event(s.start(), s.title() + (s.ok() ? "" : " — FAILED")));
    events.add(new Event(r.ended(), "Rollback " + r.outcome().name().toLowerCase()));
    return events;
  }

  static List<String> impact(RollbackReport r) {
    return List.of(
        "Duration: " + duration(r.total()) + " (target " + duration(r.targetTime()) + "): machine " + duration(r.machineTime())
            + " + human decisions " + duration(r.humanTime()) + " + the rest between steps (" + duration(r.otherTime()) + ")",
        "Requests served by Green (from its deployment to the switch): " + served(r),
        "Users affected: " + usersAffected(r),
        "Data impact: " + dataImpact(r) + (r.capability() == null ? "" : "; " + r.capability()));
  }

  /**
   * What Prometheus counted: requests, never called users (one user makes many requests, a retry counts twice), with the
   * span and the queries, so that anyone can ask Prometheus again. Not measured says why; never a 0 nobody counted.
   */
  private static String served(RollbackReport r) {
    RollbackReport.Served s = r.greenServed();
    if (s == null) return "not measured (the run journaled no measurement: it did not switch traffic, or switched before lmsctl measured it)";
    String span = s.from() == null || s.to() == null ? "" : " " + r.time().stamp(s.from()) + " to " + r.time().stamp(s.to());
    String queries = s.requestsQuery() == null ? "" : "; queries: " + s.requestsQuery() + " and " + s.errorsQuery();
    if (s.requests() == null) return "not measured (" + s.notMeasured() + ")" + (span.isEmpty() ? "" : "; span" + span) + queries;
    String share = s.requests() == 0 ? "" : String.format(java.util.Locale.ROOT, " (%.1f %%)", 100.0 * s.errors() / s.requests());
    return String.format(java.util.Locale.ROOT, "%,d requests to %s, %,d of them errors (5xx)%s, from%s, as Prometheus counted them", s.requests(),
        s.service(), s.errors(), share, span) + queries;
  }

  /** The count as the incident owner gave it (lmsctl measures no users), with what the trigger says they saw. */
  private static String usersAffected(RollbackReport r) {
    String saw = r.trigger() == null ? null : "users of " + r.environment() + " saw " + r.trigger().condition().toLowerCase() + " (" + r.trigger().id() + ")";
    var given = r.completion().usersAffected();
    if (given != null) return given.text() + " (" + by(r, given.by(), given.role(), given.at()) + ")" + (saw == null ? "" : "; " + saw);
    return (saw == null ? "unknown" : saw) + "; the count is the incident owner's to add with lmsctl report --users-affected N (lmsctl does not measure users)";
  }

  /** What the run did to the data, from its database steps: restored, rolled back, or not, and if one failed, that. */
  private static String dataImpact(RollbackReport r) {
    var database = r.steps().stream().filter(s -> s.action().contains("database")).toList();
    if (database.isEmpty()) return "none by the rollback: no database step ran";
    var failed = database.stream().filter(s -> !s.ok()).findFirst();
    if (failed.isPresent()) return "the database was NOT rolled back: " + failed.get().title() + " failed (" + failed.get().detail() + ")";
    return database.stream().anyMatch(s -> s.action().equals("restore-database"))
        ? "the database was restored from the backup; writes since the backup are lost unless replayed (see the steps)"
        : "the database was rolled back (its migrations downgraded; see the steps)";
  }

  /** Each part says its source: who wrote it (lmsctl report --root-cause), else the §7.2 follow-up ticked with its note. */
  static String rootCause(RollbackReport r) {
    var written = r.completion().rootCause();
    if (written != null) return written.text() + " (" + by(r, written.by(), written.role(), written.at()) + ")";
    return r.rootCauseAnalysis().stream().filter(f -> f.action().startsWith("Technical")).findFirst()
        .map(f -> f.done() != null ? "\"" + f.action() + "\" was ticked: " + f.done() + " (§7.2; the analysis is written with lmsctl report --root-cause)"
            : "Not yet known: \"" + f.action() + "\" is " + f.owner() + "'s, due " + r.time().stamp(f.due()) + " (§7.2)")
        .orElse("Not yet known (§7.2)");
  }

  static String lessons(RollbackReport r) {
    var written = r.completion().lessons();
    if (written != null) return written.text() + " (" + by(r, written.by(), written.role(), written.at()) + ")";
    return r.rootCauseAnalysis().stream().filter(f -> f.action().startsWith("RCA document")).findFirst()
        .map(f -> "To be written with the RCA document (" + f.owner() + ", due " + r.time().stamp(f.due()) + "; lmsctl report --lessons records them)")
        .orElse("To be written after the root cause analysis (lmsctl report --lessons records them)");
  }

  static List<String> approvals(RollbackReport r) {
    var prepared = r.completion().signed("prepared");
    var reviewed = r.completion().signed("reviewed");
    var approved = r.completion().signed("approved");
    String integrity = r.integrity().intact() ? " (intact)" : " (BROKEN: " + r.integrity().problem() + ")";
    return List.of("Rollback authorized by: " + r.decidedBy(),
        "Report prepared by: " + (prepared != null ? by(r, prepared.by(), prepared.role(), prepared.at()) + ", from the audit journal" + integrity
            : "lmsctl report, from the audit journal" + integrity),
        "Reviewed by: " + (reviewed != null ? by(r, reviewed.by(), reviewed.role(), reviewed.at()) : "pending (lmsctl report --sign reviewed)"),
        "Approved by: " + (approved != null ? by(r, approved.by(), approved.role(), approved.at()) : "pending (lmsctl report --sign approved)"));
  }

  /** DRAFT until approved; then who approved, and when. */
  static String status(RollbackReport r) {
    var approved = r.completion().signed("approved");
    var reopened = r.completion().reopened();
    if (approved == null && reopened != null) {
      return "DRAFT — returned to draft: " + reopened.part() + " changed by " + reopened.by() + " at " + r.time().stamp(reopened.at())
          + " after its approval by " + reopened.approval().by() + "; to be reviewed and approved again (§8.2 Approvals)";
    }
    return approved == null ? "DRAFT — not yet approved (§8.2 Approvals)" : "APPROVED by " + by(r, approved.by(), approved.role(), approved.at());
  }

  private static String by(RollbackReport r, String who, String role, java.time.Instant at) {
    return who + ", " + role + ", " + r.time().stamp(at);
  }
}
