package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the engine does for a scenario step (§5). */
public enum StepAction {
  @JsonProperty("announce") ANNOUNCE,
  @JsonProperty("switch-traffic") SWITCH_TRAFFIC,
  @JsonProperty("verify-blue") VERIFY_BLUE,
  @JsonProperty("data-review") DATA_REVIEW,
  @JsonProperty("stop-green") STOP_GREEN,
  @JsonProperty("database-rollback") DATABASE_ROLLBACK,
  @JsonProperty("verify-data") VERIFY_DATA,
  @JsonProperty("confirm") CONFIRM,
  @JsonProperty("escalate") ESCALATE,
  @JsonProperty("maintenance-on") MAINTENANCE_ON,
  @JsonProperty("restore-database") RESTORE_DATABASE,
  @JsonProperty("redeploy-blue") REDEPLOY_BLUE,
  @JsonProperty("verify-restore") VERIFY_RESTORE;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
