package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #37 item 5: a step's overrun is the engine's to report. A step still running at its budget plus the plan's grace is
 * journaled as step.overrun with the engine's reason and written beside the step files, where Jenkins' stage stops
 * waiting; the step itself goes on to its end.
 */
class StepOverrunTest {

  @TempDir Path dir;

  @Test
  void aStepStillRunningAtItsBudgetPlusTheGraceIsReportedOverrunAndLetFinish() throws Exception {
    Journal journal = new Journal(dir, "t");
    StepFiles files = new StepFiles(dir);
    StepRunner timer = new StepRunner(journal, files).overrunAfter(Duration.ofSeconds(1), files::overran);
    Scenario.Step verify = new Scenario.Step(StepAction.VERIFY_BLUE, "Verify Blue health", Budget.parse("1s"));

    StepRunner.Outcome o = timer.run(verify, () -> {
      sleep(3500);
      return "9/9 checks passed";
    });

    // Then the engine reported it at 2 s (1s budget + 1s grace), while the step went on to its end
    assertTrue(o.ok() && o.overBudget(), o.toString());
    List<Journal.Entry> entries = journal.read();
    List<String> types = entries.stream().map(Journal.Entry::type).toList();
    assertEquals(List.of("step.start", "step.overrun", "step.end"), types);
    JsonNode overrun = new ObjectMapper().readTree(files.overrunOf("verify-blue").toFile());
    assertEquals(2, overrun.path("boundSeconds").asInt());
    assertEquals("1s", overrun.path("grace").asText());
    assertTrue(overrun.path("reason").asText().startsWith("Verify Blue health has run 2s, over its budget of 1s and the plan's grace of 1s"),
        overrun.toString());
    assertEquals(overrun.path("reason").asText(), entries.get(1).data().path("reason").asText());
    assertTrue(Files.exists(files.of("verify-blue")), "the step's own file once it ended");
  }

  @Test
  void aStepWithinItsBoundIsNeverReportedOverrun() throws Exception {
    Journal journal = new Journal(dir, "t");
    StepFiles files = new StepFiles(dir);
    StepRunner timer = new StepRunner(journal, files).overrunAfter(Duration.ofSeconds(1), files::overran);

    timer.run(new Scenario.Step(StepAction.SWITCH_TRAFFIC, "Execute traffic switch", Budget.parse("1s")), () -> "lms-blue 100%");
    sleep(2500);

    assertFalse(journal.read().stream().anyMatch(e -> e.type().equals("step.overrun")));
    assertFalse(Files.exists(files.overrunOf("switch-traffic")));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
