package lms.rollback.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.ClusterStatus;
import lms.rollback.plan.CapabilityRule;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables.CapabilityWindow;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;

/**
 * §1.2 for one run: how long Green had been deployed when the run started, the window that puts it in, and what that
 * asks of the run — nothing, a data review step, or (24 h+) a redeploy instead of a traffic switch. Decided once, at
 * the run's start, and kept in its scenario.start entry, so every call of the run sees the same scenario.
 */
public record CapabilityDecision(Duration greenAge, CapabilityWindow window, String override, String overriddenBy) {

  /**
   * Decided from Green's Deployment (its deployed-at annotation, else its creation time); no Deployment (null) or no
   * readable time applies no window: the preflight names a missing Green.
   */
  public static CapabilityDecision of(Plan plan, Deployment green, Instant now, String override, String by) {
    Duration age;
    try {
      age = green == null ? null : Duration.between(ClusterStatus.deployedAt(green), now);
    } catch (NullPointerException | java.time.format.DateTimeParseException e) {
      age = null;
    }
    return new CapabilityDecision(age, age == null ? null : plan.capabilityWindow(age), blankToNull(override), blankToNull(override) == null ? null : by);
  }

  /** The decision a run's scenario.start recorded, or null when it recorded none (a run of an older lmsctl). */
  public static CapabilityDecision recorded(Plan plan, JsonNode start) {
    JsonNode c = start == null ? null : start.get("capability");
    if (c == null || c.isNull()) return null;
    Duration age = c.hasNonNull("greenAgeSeconds") ? Duration.ofSeconds(c.path("greenAgeSeconds").asLong()) : null;
    return new CapabilityDecision(age, age == null ? null : plan.capabilityWindow(age), c.path("override").asText(null), c.path("overriddenBy").asText(null));
  }

  public CapabilityRule rule() {
    return window == null ? CapabilityRule.NONE : window.requires();
  }

  /** The scenario this run executes: with the window's review step after Blue is verified, when it asks for one. */
  public Scenario applyTo(Scenario scenario) {
    if (rule() != CapabilityRule.DATA_REVIEW || window.review() == null || !switchesTraffic(scenario)) return scenario;
    List<Scenario.Step> steps = new ArrayList<>();
    int after = lastIndexOf(scenario, StepAction.VERIFY_BLUE);
    if (after < 0) after = lastIndexOf(scenario, StepAction.SWITCH_TRAFFIC);
    for (int i = 0; i < scenario.steps().size(); i++) {
      steps.add(scenario.steps().get(i));
      if (i == after) steps.add(window.review());
    }
    return new Scenario(scenario.title() + " + data review (§1.2)", scenario.when(), scenario.target(), steps);
  }

  /** Refused: 24 h+ and the scenario would only move traffic back, with nobody's override. Else null. */
  public String refusal(Scenario scenario, String scenarioName) {
    if (rule() != CapabilityRule.REDEPLOY || override != null || !switchOnly(scenario)) return null;
    return "Green was deployed " + age(greenAge) + " ago: §1.2 says " + window.span() + " needs " + window.method()
        + ", and scenario " + scenarioName + " only moves traffic back (what Green wrote stays behind). Restore with scenario D"
        + " (lmsctl restore --dump FILE) or roll the data back with scenario C; to switch traffic anyway, a person gives"
        + " --capability-override \"why\"";
  }

  /** One line for the preflight, the report and the journal. */
  public String describe() {
    if (greenAge == null) return "Green's deployment time is unknown: no capability window applied";
    String line = "Green deployed " + age(greenAge) + " before the rollback: " + window.span() + " → " + window.method()
        + " (" + window.complexity() + ")";
    if (override != null) line += "; overridden by " + overriddenBy + ": " + override;
    return line;
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (greenAge != null) m.put("greenAgeSeconds", greenAge.toSeconds());
    if (window != null) {
      m.put("window", window.span());
      m.put("method", window.method());
      m.put("requires", window.requires().key());
    }
    if (override != null) {
      m.put("override", override);
      m.put("overriddenBy", overriddenBy);
    }
    m.put("summary", describe());
    return m;
  }

  static String age(Duration d) {
    return d.toHours() + "h" + String.format("%02d", d.toMinutesPart()) + "m";
  }

  private static boolean switchesTraffic(Scenario s) {
    return s.steps().stream().anyMatch(x -> x.action() == StepAction.SWITCH_TRAFFIC);
  }

  /** Moves traffic and nothing else that brings data back: no database step and no redeploy. */
  private static boolean switchOnly(Scenario s) {
    return switchesTraffic(s) && s.steps().stream().noneMatch(x -> x.action() == StepAction.DATABASE_ROLLBACK
        || x.action() == StepAction.RESTORE_DATABASE || x.action() == StepAction.REDEPLOY_BLUE);
  }

  private static int lastIndexOf(Scenario s, StepAction action) {
    for (int i = s.steps().size() - 1; i >= 0; i--) if (s.steps().get(i).action() == action) return i;
    return -1;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
