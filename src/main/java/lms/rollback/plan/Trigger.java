package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A rollback trigger of §2: AUTO-*, MAN-*, BUS-*. */
public record Trigger(
    @JsonProperty(required = true) String id,
    @JsonProperty(required = true) TriggerType type,
    @JsonProperty(required = true) String condition,
    String threshold,
    String action,
    /** Overrides the primary authority of the type's matrix row (§2.3); a key of roles. */
    String authority,
    @JsonProperty(required = true) DecisionTime decisionTime,
    /** How the trigger is measured in Prometheus; absent for those a person judges (MAN-003…, BUS-*). */
    Measure measure,
    /** What it is about (database, security, business-critical): who of the contact chain is paged. */
    java.util.List<Concern> concerns,
    /**
     * With {@code authority}: who the gate escalates to above it, in order, instead of its type's backup and escalation
     * (those may rank below it); empty: nobody is above it, its gate does not escalate. Absent: its type's row.
     */
    java.util.List<String> escalation) {

  public Trigger {
    concerns = concerns == null ? java.util.List.of() : java.util.List.copyOf(concerns);
    escalation = escalation == null ? null : java.util.List.copyOf(escalation);
  }

  /** Who decides it, in order of escalation, by the row {@code row} of the authority matrix (§3.1) and its own authority. */
  public java.util.List<String> deciders(AuthorityChain row, TriggerType rowType) {
    java.util.List<String> roles = new java.util.ArrayList<>(row.inOrder());
    if (authority != null) roles.set(0, authority);
    if (authority != null && escalation != null && rowType == type) {
      roles = new java.util.ArrayList<>(java.util.List.of(authority));
      roles.addAll(escalation);
    }
    return java.util.List.copyOf(roles);
  }

  /**
   * A condition on a named query of verification.queries, held at every evaluation step for
   * {@code for}: value > above, value <= atMost, value >= atLeast, value > factor x latencyBaseline.
   */
  public record Measure(
      @JsonProperty(required = true) String query,
      Double above,
      Double atMost,
      Double atLeast,
      Double aboveBaselineFactor,
      @JsonProperty(value = "for", required = true) Budget sustainedFor) {

    public boolean holds(double value, double baselineSeconds) {
      if (above != null && !(value > above)) return false;
      if (atMost != null && !(value <= atMost)) return false;
      if (atLeast != null && !(value >= atLeast)) return false;
      return aboveBaselineFactor == null || value > aboveBaselineFactor * baselineSeconds;
    }

    public String describe(double baselineSeconds) {
      StringBuilder sb = new StringBuilder(query);
      if (above != null) sb.append(" > ").append(above);
      if (atMost != null) sb.append(" <= ").append(atMost);
      if (atLeast != null) sb.append(" >= ").append(atLeast);
      if (aboveBaselineFactor != null) sb.append(" > ").append(aboveBaselineFactor).append(" x ").append(baselineSeconds).append("s");
      return sb.append(" for ").append(sustainedFor.text()).toString();
    }
  }

  public boolean needsApproval() {
    return type != TriggerType.AUTOMATIC;
  }
}
