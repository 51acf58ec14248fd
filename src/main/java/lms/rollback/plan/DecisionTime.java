package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;

/** §2.2 "Decision Time": a duration, or "immediate" (the plan's gate.immediateWindow applies). */
public record DecisionTime(boolean immediate, Budget window) {

  public static final String IMMEDIATE = "immediate";

  @JsonCreator
  public static DecisionTime parse(String text) {
    if (text != null && text.trim().equalsIgnoreCase(IMMEDIATE)) {
      return new DecisionTime(true, null);
    }
    try {
      return new DecisionTime(false, Budget.parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + ", or '" + IMMEDIATE + "'");
    }
  }

  public Duration resolve(GatePolicy gate) {
    return immediate ? gate.immediateWindow().limit() : window.limit();
  }

  @JsonValue
  @Override
  public String toString() {
    return immediate ? IMMEDIATE : window.text();
  }
}
