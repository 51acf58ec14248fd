package lms.rollback.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.plan.Runbook.RehearsalItem;

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
  }

  /** The plan's checklist scored against the rehearsed scenario's own steps: an item for a step it lacks does not apply. */
  public static List<Score> score(RollbackReport r, lms.rollback.plan.Plan plan) {
    lms.rollback.plan.Scenario scenario = r.scenario() == null ? null : plan.scenarios().get(r.scenario());
    List<Score> scores = new ArrayList<>();
    for (RehearsalItem item : plan.rehearsalChecklist()) {
      String needs = STEP_OF.get(item.measure());
      if (scenario != null && needs != null && scenario.steps().stream().noneMatch(s -> s.action().key().equals(needs))) {
        String why = "scenario " + r.scenario() + " has no " + needs + " step (" + scenario.title() + ")";
        scores.add(new Score(item, true, "not applicable: " + why, null, why));
        continue;
      }
      scores.add(switch (item.measure()) {
        case "switch-duration" -> within(item, step(r, "switch-traffic"));
        case "total-duration" -> within(item, r.outcome() == RollbackReport.Outcome.COMPLETED ? r.total() : null);
        case "blue-checks" -> checks(item, r, "Blue", "Previous version", "Database connectivity", "Green receives");
        case "smoke-checks" -> checks(item, r, "(GET ", "(POST ");
        case "green-terminated" -> {
          var stop = r.steps().stream().filter(s -> s.action().equals("stop-green")).findFirst();
          yield new Score(item, stop.isPresent() && stop.get().ok(), stop.map(s -> s.detail()).orElse("Green was not stopped"));
        }
        default -> new Score(item, false, "unknown measure '" + item.measure() + "'");
      });
    }
    return scores;
  }

  /** The step an item measures, for the items that measure one. */
  private static final java.util.Map<String, String> STEP_OF = java.util.Map.of("switch-duration", "switch-traffic", "green-terminated", "stop-green");

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

  private static Score checks(RehearsalItem item, RollbackReport r, String... namePrefixes) {
    List<RollbackReport.Check> mine = r.checks().stream().filter(c -> java.util.Arrays.stream(namePrefixes).anyMatch(p -> c.name().contains(p))).toList();
    long passed = mine.stream().filter(RollbackReport.Check::passed).count();
    return new Score(item, !mine.isEmpty() && passed == mine.size(), passed + " of " + mine.size() + " passed");
  }
}
