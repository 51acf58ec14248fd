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
    @JsonProperty(required = true) DecisionTime decisionTime) {

  public boolean needsApproval() {
    return type != TriggerType.AUTOMATIC;
  }
}
