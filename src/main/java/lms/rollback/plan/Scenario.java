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

  public Budget budgetOf(StepAction action) {
    return steps.stream().filter(s -> s.action() == action).map(Step::budget).findFirst().orElse(null);
  }
}
