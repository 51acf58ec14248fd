package lms.rollback.cli;

import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.Authority;
import lms.rollback.gate.GatePlan;
import lms.rollback.plan.Budget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Who decides a trigger, level by level. Help: help/gate-plan.properties. */
@Command(name = "plan", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-plan")
final class GatePlanVerb extends Verb {

  @Mixin GateOptions.Trigger trigger;
  @Mixin GateOptions.Scenario scenario;

  @Override
  Outcome execute(Journal journal) {
    GatePlan gate = new Authority(plan.plan()).gateFor(trigger.trigger, scenario.scenario);
    journal.append(Event.GATE_PLAN, gate.asData());
    List<String> text = new ArrayList<>();
    text.add(gate.trigger() + " (" + gate.type() + "): " + gate.condition());
    if (!gate.approvalNeeded()) text.add("  no approval needed: the rollback starts at once (§2.1)");
    for (GatePlan.Level l : gate.levels()) {
      text.add(String.format("  level %d  %-24s %-5s may decide: %s", l.level(), l.title(), Budget.format(l.window()),
          String.join(", ", gate.submittersAt(l.level()))));
    }
    if (gate.approvalNeeded()) {
      text.add("  no escalation after " + gate.levels().get(gate.levels().size() - 1).title() + ": the plan names nobody above; unanswered, "
          + "nothing is rolled back");
    }
    if (gate.twoPersonRule() != null) {
      text.add("  database rollback: " + String.join(" and ", gate.twoPersonRule().titles()) + ", two different people, neither the requester");
    }
    return new Outcome(ExitCode.OK, gate.asData(), text);
  }
}
