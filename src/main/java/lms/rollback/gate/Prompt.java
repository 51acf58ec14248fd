package lms.rollback.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** One decision prompt of a trigger's gate: a level of escalation, or the database rollback's two-person authorization. */
public record Prompt(String trigger, int level, boolean database) {

  public static Prompt level(String trigger, int level) {
    return new Prompt(trigger, level, false);
  }

  public static Prompt database(String trigger) {
    return new Prompt(trigger, 0, true);
  }

  /** Whether a gate.* journal entry is about this prompt. */
  public boolean matches(JsonNode data) {
    return trigger.equals(data.path("trigger").asText()) && database == data.path("database").asBoolean(false)
        && (database || level == data.path("level").asInt(-1));
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trigger", trigger);
    m.put("level", level);
    m.put("database", database);
    return m;
  }

  public String describe() {
    return trigger + (database ? " database authorization" : " level " + level);
  }
}
