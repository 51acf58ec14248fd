package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import org.junit.jupiter.api.Test;

/** Jenkins' stages read a step's budget from the engine, in seconds: no var parses the plan's budget syntax. */
class StagePlanTest {

  @Test
  void budgetsOfEverySyntaxReachJenkinsAsWholeSeconds() {
    List<Map<String, Object>> stages = RunStateMachine.planData(List.of(
        new Scenario.Step(StepAction.DATA_REVIEW, "Review data written by Green", Budget.parse("1h30m")),
        new Scenario.Step(StepAction.ANNOUNCE, "Announce rollback", Budget.parse("500ms")),
        new Scenario.Step(StepAction.RESTORE_DATABASE, "Restore database from backup", Budget.parse("20m-40m"))));

    assertEquals(List.of(5400L, 1L, 2400L), stages.stream().map(s -> s.get("budgetSeconds")).toList());
    assertEquals(List.of("1h30m", "500ms", "20m-40m"), stages.stream().map(s -> s.get("budget")).toList());
  }
}
