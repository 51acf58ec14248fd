package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The rows of the decision authority matrix (§3.1). */
public enum TriggerType {
  @JsonProperty("automatic") AUTOMATIC,
  @JsonProperty("technical") TECHNICAL,
  @JsonProperty("business") BUSINESS,
  @JsonProperty("security") SECURITY;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
