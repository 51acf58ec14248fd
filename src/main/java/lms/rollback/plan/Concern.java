package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a trigger is about, beyond its type: decides who of the contact chain (§3.3) is paged. */
public enum Concern {
  @JsonProperty("database") DATABASE,
  @JsonProperty("security") SECURITY,
  @JsonProperty("business-critical") BUSINESS_CRITICAL;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
