package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/** §1.2: what a capability window asks of a rollback besides its scenario. */
public enum CapabilityRule {
  /** The scenario as it is (0–4 h: traffic switch, instant). */
  @JsonProperty("none") NONE,
  /** A person reviews the data Green wrote before the rollback is confirmed (4–24 h). */
  @JsonProperty("data-review") DATA_REVIEW,
  /** Traffic alone cannot go back: redeploy and migrate data (scenario C or D), or a person overrides (24 h+). */
  @JsonProperty("redeploy") REDEPLOY;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
