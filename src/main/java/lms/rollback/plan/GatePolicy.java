package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** How decisions are taken: the window of "Immediate", the reason length, the two-person rule. */
public record GatePolicy(
    @JsonProperty(required = true) Budget immediateWindow,
    @JsonProperty(required = true) Integer minReasonLength,
    @JsonProperty(required = true) List<String> databaseRollbackApprovers,
    /** Whether a Jenkins administrator outside the authority may decide; journaled as an override. */
    boolean allowAdministratorOverride,
    /** Who is told when a prompt opens, and when reminders go out; absent: war-room + email, at 50% and 1m before. */
    GateNotices notices,
    /** Signed decisions (§10): who may sign, and where a decision must be signed; absent: none required. */
    DecisionSignatures signatures,
    /** How recently an unfinished run must have been active for a later call to continue it; absent: 30m. */
    Budget continueWithin,
    /**
     * Roles from the lowest authority to the highest, when the organisation ranks them; a gate may then only escalate
     * upwards between ranked roles. Absent: no ranking (roles not listed are not compared).
     */
    List<String> authorityOrder) {
  /** A continuation's validity when the plan states none. */
  public static final Budget DEFAULT_CONTINUE_WITHIN = Budget.parse("30m");

  public GatePolicy {
    continueWithin = continueWithin == null ? DEFAULT_CONTINUE_WITHIN : continueWithin;
    notices = notices == null ? GateNotices.DEFAULT : notices;
    signatures = signatures == null ? DecisionSignatures.NONE : signatures;
    databaseRollbackApprovers = List.copyOf(databaseRollbackApprovers);
    authorityOrder = authorityOrder == null ? List.of() : List.copyOf(authorityOrder);
    if (databaseRollbackApprovers.size() != 2) {
      throw new IllegalArgumentException("databaseRollbackApprovers names exactly two roles (the two-person rule), has "
          + databaseRollbackApprovers.size());
    }
  }
}
