package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A rollback scenario of §5 with its steps, each held to a budget. */
public record Scenario(
    @JsonProperty(required = true) String title,
    @JsonProperty(required = true) String when,
    @JsonProperty(required = true) Budget target,
    @JsonProperty(required = true) List<Step> steps) {

  public Scenario {
    steps = List.copyOf(steps);
  }

  public record Step(
      @JsonProperty(required = true) StepAction action,
      @JsonProperty(required = true) String title,
      @JsonProperty(required = true) Budget budget) {}

  /** A downgrade or a restore: the two-person rule (§3.2) and the DBA's pause of pending transactions (§4.1) apply. */
  public boolean changesDatabase() {
    return steps.stream().anyMatch(s -> s.action() == StepAction.DATABASE_ROLLBACK || s.action() == StepAction.RESTORE_DATABASE);
  }

  /** The run needs the environment's database URL: it changes the database or verifies its data. In the plan's JSON for Jenkins' credentials. */
  @JsonProperty(value = "needsDatabase", access = JsonProperty.Access.READ_ONLY)
  public boolean needsDatabase() {
    return changesDatabase() || steps.stream().anyMatch(s -> s.action() == StepAction.VERIFY_DATA);
  }

  public Budget budgetOf(StepAction action) {
    return steps.stream().filter(s -> s.action() == action).map(Step::budget).findFirst().orElse(null);
  }
}
