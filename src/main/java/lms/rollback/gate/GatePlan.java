package lms.rollback.gate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who decides a trigger, and how long each may take: the primary authority, then the backup,
 * then the escalation (§3.1), each with its own window. At level n, the authorities of levels
 * 0…n may all decide: escalating adds deciders, it does not take anyone's say away. {@code asManual}: why an
 * automatic trigger is decided by people here (it was not measured to hold), or null.
 */
public record GatePlan(String trigger, String type, String condition, boolean approvalNeeded, List<Level> levels,
    TwoPersonRule twoPersonRule, String asManual) {

  /** One level of escalation. */
  public record Level(int level, String role, String title, List<String> holders, Duration window) {}

  /** §4.2 step 4: both roles must approve, as two different people, neither the requester. */
  public record TwoPersonRule(List<String> roles, List<String> titles, Map<String, List<String>> holders) {}

  /** Jenkins ids and groups who may decide once the gate has escalated to {@code level}. */
  public List<String> submittersAt(int level) {
    Set<String> all = new LinkedHashSet<>();
    for (Level l : levels) {
      if (l.level() <= level) all.addAll(l.holders());
    }
    return List.copyOf(all);
  }

  /** Who decides a prompt of this gate, as people read it: a level's authority, or the two database roles. */
  public String title(Prompt p) {
    return p.database() ? String.join(" and ", twoPersonRule.titles()) : level(p.level()).title();
  }

  /** Jenkins ids and groups who may answer a prompt of this gate, comma-separated as input's submitter takes them. */
  public String submitter(Prompt p) {
    if (!p.database()) return String.join(",", submittersAt(p.level()));
    Set<String> all = new LinkedHashSet<>();
    twoPersonRule.holders().values().forEach(all::addAll);
    return String.join(",", all);
  }

  /** How long a prompt stays open before it times out; the database prompt has the first level's window. */
  public Duration window(Prompt p) {
    return level(p.database() ? 0 : p.level()).window();
  }

  public Level level(int n) {
    if (n < 0 || n >= levels.size()) {
      throw new IllegalArgumentException("level " + n + " does not exist; allowed: 0-" + (levels.size() - 1));
    }
    return levels.get(n);
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trigger", trigger);
    m.put("type", type);
    m.put("condition", condition);
    m.put("approvalNeeded", approvalNeeded);
    if (asManual != null) m.put("asManual", asManual);
    m.put("levels", levels.stream().map(l -> {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("level", l.level());
      lm.put("role", l.role());
      lm.put("title", l.title());
      lm.put("holders", l.holders());
      lm.put("submitter", String.join(",", submittersAt(l.level())));
      lm.put("windowSeconds", l.window().toSeconds());
      return lm;
    }).toList());
    m.put("twoPersonRule", twoPersonRule == null ? null : Map.of("roles", twoPersonRule.roles(), "titles", twoPersonRule.titles(),
        "holders", twoPersonRule.holders()));
    return m;
  }
}
