package lms.rollback.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.plan.PlanTime;

/** Everything §8.1 asks of a rollback's record, as read back from the journal. */
public record RollbackReport(
    String incidentId,
    String deploymentId,
    String environment,
    String scenario,
    String scenarioTitle,
    Instant started,
    Instant ended,
    Duration total,
    Duration targetTime,
    Duration scenarioTarget,
    Outcome outcome,
    String stoppedAt,
    String stopReason,
    Trigger trigger,
    Decision decision,
    List<Step> steps,
    List<Command> commands,
    List<Check> checks,
    List<Message> communications,
    List<HumanWait> humanWaits,
    List<GateNotice> gateNotices,
    List<FollowUp> immediateActions,
    List<FollowUp> rootCauseAnalysis,
    List<FollowUp> correctiveActions,
    ChainVerifier.Result integrity,
    List<Decision> decisions,
    List<Escalation> escalated,
    String capability,
    Instant deployed,
    Instant detected,
    List<ChecklistItem> checklist,
    String rehearsal,
    ReportCompletion completion,
    List<Scheduled> schedule,
    PlanTime time,
    List<String> notChecked,
    String blueVersion,
    Served greenServed,
    String requestedBy) {

  /**
   * §8.2 Impact as Prometheus counted it: the requests (and errors) Green served from its deployment to the switch, with
   * the queries sent; or {@code notMeasured}, why not. Null when the run journaled no measurement.
   */
  public record Served(String service, Instant from, Instant to, Long requests, Long errors, String requestsQuery, String errorsQuery,
      String notMeasured) {
    static Served of(com.fasterxml.jackson.databind.JsonNode d) {
      return new Served(d.path("service").asText(null), instant(d, "from"), instant(d, "to"), d.hasNonNull("requests") ? d.path("requests").asLong() : null,
          d.hasNonNull("errors") ? d.path("errors").asLong() : null, d.path("requestsQuery").asText(null), d.path("errorsQuery").asText(null),
          d.path("notMeasured").asText(null));
    }

    private static Instant instant(com.fasterxml.jackson.databind.JsonNode d, String field) {
      return d.hasNonNull(field) ? Instant.parse(d.path(field).asText()) : null;
    }
  }

  /** One row of §6.1 for this run: when it was due (T+{@code at} after the decision) and when it went out, or why not. */
  public record Scheduled(String message, String channel, String owner, Duration at, Instant planned, Instant sent, String state) {
    public boolean flagged() {
      return !state.equals("on time") && !state.startsWith("not due");
    }
  }

  /** A level of the gate that did not answer in time, when its window ran out (as journaled). */
  public record Escalation(Instant at, String what) {}

  /** What each escalation was, in order: "Release Commander did not answer (level 0)". */
  @com.fasterxml.jackson.annotation.JsonProperty("escalations")
  public List<String> escalations() {
    return escalated.stream().map(Escalation::what).toList();
  }

  /** §4.1: one item of the pre-rollback checklist as the run left it (done by the engine, confirmed by its owner, or open). */
  public record ChecklistItem(int step, String action, String owner, String state, String detail) {}

  /** REJECTED: the gate closed without a decision to roll back; REFUSED: the preflight found the run could not finish. Neither changed anything. */
  public enum Outcome { COMPLETED, FAILED, INTERRUPTED, REJECTED, REFUSED }

  /** {@code measured}: the condition as the watch evaluated it (MAN-002: which baseline), when a watch raised it; else null. */
  /**
   * {@code reported}: what the requester said was happening (scenario.start's reason), or null; an approver's
   * reason stays beside their approval. {@code type}: the plan's key (automatic, technical, business). {@code held}: the
   * engine measured the trigger to hold (the watch, or the run before its decision): only then was an automatic one
   * let through without a person.
   */
  public record Trigger(String id, String type, String condition, String threshold, String measured, String reported, boolean held) {
    /** The type in the §8.2 template's words: Auto, Manual or Business. */
    public String templateType() {
      return switch (type) {
        case "automatic" -> "Auto";
        case "technical" -> "Manual";
        case "business" -> "Business";
        default -> type;
      };
    }

    /** The reason a report gives for the rollback: what was reported, else what was measured. */
    public String reason() {
      return reported != null && !reported.isBlank() ? reported : measured;
    }
  }

  /**
   * Who decided, when, as which authority, at which prompt; {@code recordedBy} is who the recording call said it was (its
   * --actor: the approver in Jenkins); {@code signedBy}: the key whose signature over the decision was verified (§10), or null.
   */
  public record Decision(Instant at, String by, String role, String decision, String reason, String prompt, String recordedBy, String signedBy,
      String login) {
    /**
     * Proven where it was: "signed by key …"; otherwise who asserted it, "asserted by …"; then the login that recorded it
     * ({@code login}: "login root", "login jenkins (Jenkins user rc.jones)"; null in journals from before it was kept).
     */
    public String describe() {
      return decision + " by " + by + " (" + role + ", " + prompt + ")" + (signedBy != null ? ", signed by key " + signedBy
          : recordedBy == null ? "" : ", asserted by " + recordedBy) + (login == null ? "" : ", recorded by " + login);
    }
  }

  /** Every decision that counted, or why there is none. */
  public String decidedBy() {
    if (!decisions.isEmpty()) return String.join("; ", decisions.stream().map(Decision::describe).toList());
    if (trigger != null && "automatic".equals(trigger.type()) && trigger.held()) {
      return "automatic: no approval needed (§2.1), System (auto-triggered) on the engine's measurement";
    }
    return "nobody: no decision was recorded";
  }

  /** Who authorized the rollback, for a message: "rc.jones (Release Commander)", each approver once per prompt. */
  public String authorizedBy() {
    List<String> approvers = decisions.stream().filter(d -> d.decision().equals("approve"))
        .map(d -> d.by() + " (" + d.role() + (d.prompt().startsWith("database") ? ", database" : "") + ")").toList();
    return approvers.isEmpty() ? decidedBy() : String.join(", ", approvers);
  }

  /**
   * What the service's users have, whatever became of the run's own end — what the war room, the status page and the
   * stakeholders are told. RESTORED: traffic is on a Blue whose checks passed, but the old release's cleanup (Green's
   * shutdown) did not finish: service restored, cleanup a follow-up. UNVERIFIED: traffic is on Blue, but checks of
   * Blue's health could not be made ({@link #notChecked()}). NOT_RESTORED: anything else that is not complete.
   */
  public enum Restoration { COMPLETE, RESTORED, UNVERIFIED, NOT_RESTORED }

  /** The steps whose failure leaves the service as it was once Blue is verified: they clean up the release rolled back. */
  private static final java.util.Set<String> CLEANUP = java.util.Set.of("stop-green");

  public Restoration restoration() {
    if (outcome == Outcome.COMPLETED) return notChecked.isEmpty() ? Restoration.COMPLETE : Restoration.UNVERIFIED;
    if (outcome != Outcome.FAILED && outcome != Outcome.INTERRUPTED) return Restoration.NOT_RESTORED;
    if (!lastOk("switch-traffic")) return Restoration.NOT_RESTORED;
    Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
    // stopped at verification with checks that could not be made and none that failed: on Blue, unverified
    if (last != null && !last.ok() && last.action().equals("verify-blue") && !notChecked.isEmpty()
        && checks.stream().noneMatch(c -> c.status().equals("fail"))) {
      return Restoration.UNVERIFIED;
    }
    if (!lastOk("verify-blue")) return Restoration.NOT_RESTORED;
    if (last == null || last.ok() || !CLEANUP.contains(last.action())) return Restoration.NOT_RESTORED;
    return notChecked.isEmpty() ? Restoration.RESTORED : Restoration.UNVERIFIED;
  }

  /** The step of {@code action} ended ok the last time it ran. */
  private boolean lastOk(String action) {
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (steps.get(i).action().equals(action)) return steps.get(i).ok();
    }
    return false;
  }

  /** Whether anything was changed: a rejected or refused run never reached a step. */
  public boolean changedAnything() {
    return outcome != Outcome.REJECTED && outcome != Outcome.REFUSED;
  }

  public record Step(String action, String title, Instant start, Duration took, Duration budget, boolean ok, String detail) {
    public boolean overBudget() {
      return took.compareTo(budget) > 0;
    }
  }

  public record Command(Instant at, String actor, String command, String arguments, String outcome) {}

  public record Check(Instant at, String name, String status, String detail) {
    public boolean passed() {
      return "pass".equals(status);
    }
  }

  public record Message(Instant at, String message, String channel, String status, String detail) {}

  /** Time a person took: from a prompt opening to its decision (or its timeout). */
  public record HumanWait(String label, Instant start, Duration took) {}

  /** A decider reached about a prompt: opened, escalated, or reminded; who, and what each channel did. */
  public record GateNotice(Instant at, String kind, String prompt, String decider, List<String> reached, String channels) {}

  /**
   * {@code done}: by whom and when ("lmsctl (logs.preserved) 02:14", "rc.jones 03:02: INC-2041"), or null while open;
   * {@code due}: null where the plan leaves it to the owner (§7.3).
   */
  public record FollowUp(String action, String owner, Instant due, String done) {
    public String status(Instant now) {
      return done != null ? "✓ " + done : due != null && now.isAfter(due) ? "OVERDUE" : "open";
    }

    /** When it is due, for a person: the time, or who sets it. */
    public String dueText(PlanTime time) {
      return due == null ? "set by " + owner + " (§7.3)" : time.stamp(due);
    }
  }

  public Duration machineTime() {
    return steps.stream().map(Step::took).reduce(Duration.ZERO, Duration::plus);
  }

  public Duration humanTime() {
    return humanWaits.stream().map(HumanWait::took).reduce(Duration.ZERO, Duration::plus);
  }

  /** What the total holds besides steps and decisions: preflight, calls between stages, messages. */
  public Duration otherTime() {
    Duration rest = total.minus(machineTime()).minus(humanTime());
    return rest.isNegative() ? Duration.ZERO : rest;
  }

  public boolean withinTarget() {
    return total.compareTo(targetTime) <= 0;
  }

  /** A time of day as people read it under the plan, "—" when unknown; the zone is named by {@link #zone()}. */
  public String clock(Instant at) {
    return at == null ? "—" : time.clock(at);
  }

  /** The plan's zone as the report's headings name it (at the run's start: CET or CEST). */
  public String zone() {
    return time.zoneName(started);
  }
}
