package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One row of §3.1: who decides first, who next, who last. Each is a key of roles. */
public record AuthorityChain(
    @JsonProperty(required = true) String primary,
    @JsonProperty(required = true) String backup,
    @JsonProperty(required = true) String escalation) {

  public List<String> inOrder() {
    return List.of(primary, backup, escalation);
  }
}
