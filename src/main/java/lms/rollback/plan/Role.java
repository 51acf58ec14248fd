package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** An authority role and the Jenkins user ids or group names that hold it. */
public record Role(@JsonProperty(required = true) String title, List<String> jenkins) {
  public Role {
    jenkins = jenkins == null ? List.of() : List.copyOf(jenkins);
  }
}
