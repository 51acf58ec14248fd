package lms.rollback.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables.RehearsalItem;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;

/** §9.2: the rehearsal checklist scored from a run's report, as JUnit so Jenkins trends it month by month. */
public final class RehearsalScorecard {
  private RehearsalScorecard() {}

  /**
   * {@code took}: the measured time when the item is a time (the switch, the whole rollback), else null.
   * {@code notApplicable}: why the rehearsed scenario has nothing to score for the item, or null.
   */
  public record Score(RehearsalItem item, boolean passed, String measured, Duration took, String notApplicable) {
    Score(RehearsalItem item, boolean passed, String measured) {
      this(item, passed, measured, null, null);
    }

    Score(RehearsalItem item, boolean passed, String measured, Duration took) {
      this(item, passed, measured, took, null);
    }

    static Score notApplicable(RehearsalItem item, String why) {
      return new Score(item, true, "not applicable: " + why, null, why);
    }

    /** passed, failed or not-applicable, as the journal keeps it. */
    public String state() {
      return notApplicable != null ? "not-applicable" : passed ? "passed" : "failed";
    }

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", item.id());
      m.put("test", item.test());
      m.put("expected", item.expected());
      m.put("state", state());
      m.put("measured", measured);
      return m;
    }
  }

  /** Whether the rehearsal passed: no item failed (one that does not apply is no failure). */
  public static boolean passed(List<Score> scores) {
    return scores.stream().allMatch(Score::passed);
  }

  /** The failed items in one line, for a person: "#2 Blue health verified (measured …)". */
  public static String failures(List<Score> scores) {
    return String.join("; ", scores.stream().filter(s -> !s.passed()).map(s -> "#" + s.item().id() + " " + s.item().test() + " (measured "
        + s.measured() + ")").toList());
  }

  /**
   * The plan's checklist scored against the rehearsed scenario's own items and steps: an item for other scenarios is not on
   * its scorecard; an item measuring a step it lacks, or with nothing to score, does not apply.
   */
  public static List<Score> score(RollbackReport r, Plan plan) {
    Scenario scenario = r.scenario() == null ? null : plan.scenarios().get(r.scenario());
    List<Score> scores = new ArrayList<>();
    for (RehearsalItem item : plan.rehearsalChecklist()) {
      if (r.scenario() != null && !item.scores(r.scenario())) continue;
      List<StepAction> needs = RehearsalItem.STEPS_MEASURED.getOrDefault(item.measure(), List.of());
      if (scenario != null && !needs.isEmpty() && scenario.steps().stream().noneMatch(s -> needs.contains(s.action()))) {
        scores.add(Score.notApplicable(item, "scenario " + r.scenario() + " has no " + String.join(" or ", needs.stream().map(StepAction::key).toList())
            + " step (" + scenario.title() + ")"));
        continue;
      }
      scores.add(switch (item.measure()) {
        case "switch-duration" -> within(item, step(r, "switch-traffic"));
        case "total-duration" -> within(item, r.outcome() == RollbackReport.Outcome.COMPLETED ? r.total() : null);
        case "scenario-target" -> ownTarget(item, r, scenario);
        case "blue-checks" -> checks(item, r, "Blue's checks", "Blue", "Previous version", "Database connectivity", "Green receives");
        case "smoke-checks" -> checks(item, r, "smoke test", "(GET ", "(POST ");
        case "green-terminated" -> stepDone(item, r, "stop-green", "Green was not stopped");
        case "database-restored" -> stepDone(item, r, "restore-database", "the database was not restored");
        case "restore-verified" -> stepDone(item, r, "verify-restore", "the restoration was not verified");
        case "maintenance-off" -> maintenanceOff(item, r);
        default -> new Score(item, false, "unknown measure '" + item.measure() + "'");
      });
    }
    return scores;
  }

  public static String junit(List<Score> scores) {
    return JUnitXml.document(List.of(new JUnitXml.Suite("rehearsal.scorecard", scores.stream()
        // the measured value in the case's name and, for a time, as its time: Jenkins then trends it build by build
        .map(s -> new JUnitXml.Case("#" + s.item().id() + " " + s.item().test() + " (" + s.item().expected() + "): measured " + s.measured(),
            s.took() == null ? 0 : s.took().toMillis(), s.passed() ? null : "measured: " + s.measured(), s.notApplicable())).toList())));
  }

  private static Duration step(RollbackReport r, String action) {
    return r.steps().stream().filter(s -> s.action().equals(action) && s.ok()).map(RollbackReport.Step::took).findFirst().orElse(null);
  }

  private static Score within(RehearsalItem item, Duration took) {
    if (took == null) return new Score(item, false, "did not complete");
    return new Score(item, item.limit() != null && took.compareTo(item.limit().limit()) < 0, Formats.duration(took), took);
  }

  /** The whole run against the scenario's own target (§5): scenario D's 30-60 minutes, not §1.1's 15. */
  private static Score ownTarget(RehearsalItem item, RollbackReport r, Scenario scenario) {
    if (r.outcome() != RollbackReport.Outcome.COMPLETED) return new Score(item, false, "did not complete");
    if (scenario == null) return new Score(item, false, Formats.duration(r.total()) + ", against no target: scenario " + r.scenario() + " is not in the plan");
    return new Score(item, r.total().compareTo(scenario.target().limit()) < 0, Formats.duration(r.total()) + " of scenario " + r.scenario()
        + "'s target " + scenario.target().text(), r.total());
  }

  private static Score stepDone(RehearsalItem item, RollbackReport r, String action, String otherwise) {
    var step = r.steps().stream().filter(s -> s.action().equals(action)).reduce((a, b) -> b);
    return new Score(item, step.isPresent() && step.get().ok(), step.map(RollbackReport.Step::detail).orElse(otherwise));
  }

  /** §5.4 step 5 takes LMS out of maintenance onto the restored Blue, and reads the routes back at the rollback weights. */
  private static Score maintenanceOff(RehearsalItem item, RollbackReport r) {
    var verified = r.steps().stream().filter(s -> s.action().equals("verify-restore")).reduce((a, b) -> b);
    if (verified.isEmpty()) return new Score(item, false, "LMS was left in maintenance: Verify restoration did not run");
    return new Score(item, verified.get().ok(), (verified.get().ok() ? "" : "not confirmed: ") + verified.get().detail());
  }

  /**
   * Every check whose name says it is of the kind: passed when all did. A check of the kind the run journaled as not made
   * fails the item (what a --cluster-only run never checked is not "all checks pass"); none at all and none missing is
   * nothing to score (a scenario without smoke tests), not a failure — unless the steps that make them never ran.
   */
  private static Score checks(RehearsalItem item, RollbackReport r, String kind, String... namePrefixes) {
    // a check the run could not make (--cluster-only, Prometheus down) was not passed: the item is not measured (#38 item 13)
    boolean smoke = item.measure().equals("smoke-checks");
    List<String> notMade = r.notChecked().stream().filter(c -> c.contains("smoke") == smoke).toList();
    if (!notMade.isEmpty()) return new Score(item, false, "not measured: the run did not check " + String.join(", ", notMade));
    List<RollbackReport.Check> mine = r.checks().stream().filter(c -> java.util.Arrays.stream(namePrefixes).anyMatch(p -> c.name().contains(p))).toList();
    if (mine.isEmpty()) {
      List<StepAction> steps = RehearsalItem.STEPS_MEASURED.getOrDefault(item.measure(), List.of());
      boolean ran = r.steps().stream().anyMatch(s -> steps.stream().anyMatch(a -> a.key().equals(s.action())));
      if (!ran) return new Score(item, false, "not measured: the run did not reach its " + String.join(" or ", steps.stream().map(StepAction::key).toList())
          + " step");
      return Score.notApplicable(item, "nothing to score: the run journaled no " + kind);
    }
    long passed = mine.stream().filter(RollbackReport.Check::passed).count();
    return new Score(item, passed == mine.size(), passed + " of " + mine.size() + " passed");
  }
}
