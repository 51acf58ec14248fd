package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An authority or on-call role: the Jenkins user ids or group names that hold it, and how to
 * reach it (§3.3): email addresses and a phone number, either of which may be empty.
 */
public record Role(@JsonProperty(required = true) String title, List<String> jenkins, List<String> email, String phone) {
  public Role {
    jenkins = jenkins == null ? List.of() : List.copyOf(jenkins);
    email = email == null ? List.of() : List.copyOf(email);
    phone = phone == null ? "" : phone.strip();
  }
}
