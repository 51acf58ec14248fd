package lms.rollback.cli;

import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.Authority;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.GatePlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gate", mixinStandardHelpOptions = true, subcommands = {GateCommand.PlanVerb.class, GateCommand.RecordVerb.class},
    description = {"Who may decide a rollback (runbook §3), and the record of each decision.",
        "",
        "'gate plan' says who decides a trigger and how long each level of escalation may take; 'gate record' checks a decision against the plan's authority matrix and journals it."},
    footer = {"", "Examples:", "  lmsctl gate plan --trigger MAN-001 -o json",
        "  lmsctl gate record --trigger MAN-001 --decision approve --by rc.jones --groups lms-release-commanders \\",
        "      --requested-by dev.smith --reason \"error rate 3% for 20 minutes, fix needs a day\"", ""})
final class GateCommand extends CommandGroup {


  @Command(name = "plan", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Say who decides a trigger: whether approval is needed at all (AUTO triggers: no), the primary, backup and escalation authorities (§3.1) with the Jenkins users/groups of each and the decision window of each (§2.2; \"Immediate\" is the plan's gate.immediateWindow), and whether the two-person rule of §4.2 step 4 applies.",
          "",
          "At level n the submitter list holds the authorities of levels 0..n: escalating adds deciders."},
      footer = {"", "Example:", "  lmsctl gate plan --trigger BUS-002 --scenario C -o json", ""})
  static final class PlanVerb extends Verb {

    @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan, e.g. MAN-001.")
    String trigger;

    @Option(names = "--scenario", paramLabel = "A|B|C|D",
        description = "Scenario to be run; one with a database step brings in the two-person rule. Default: none.")
    String scenario;

    @Override
    Outcome execute(Journal journal) {
      GatePlan gate = new Authority(plan.plan()).gateFor(trigger, scenario);
      journal.append("gate.plan", gate.asData());
      List<String> text = new ArrayList<>();
      text.add(gate.trigger() + " (" + gate.type() + "): " + gate.condition());
      if (!gate.approvalNeeded()) text.add("  no approval needed: the rollback starts at once (§2.1)");
      for (GatePlan.Level l : gate.levels()) {
        text.add(String.format("  level %d  %-24s %-5s may decide: %s", l.level(), l.title(), lms.rollback.plan.Budget.format(l.window()),
            String.join(", ", gate.submittersAt(l.level()))));
      }
      if (gate.twoPersonRule() != null) {
        text.add("  database rollback: " + String.join(" and ", gate.twoPersonRule().titles()) + ", two different people, neither the requester");
      }
      return new Outcome(ExitCode.OK, gate.asData(), text);
    }
  }

  @Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Check a decision against the authority matrix and journal it.",
          "",
          "The person (--by, with their Jenkins --groups) must hold the authority of the level the gate has reached, or of an earlier level; the requester may not approve; a reason of at least the plan's gate.minReasonLength characters is required. With --database the two-person rule applies instead: the DBA and the Release Commander, two different people, neither the requester; once both have approved, the journal records the database rollback as authorized. A refused decision is journaled too."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  recorded", "  2  invalid input (unknown trigger, short reason, AUTO trigger)", "  5  this person may not take this decision", "",
          "Example:",
          "  lmsctl gate record --trigger MAN-004 --database --decision approve --by dba.lee --groups lms-dbas \\",
          "      --requested-by dev.smith --reason \"orphaned leave requests since 02:10\"", ""})
  static final class RecordVerb extends Verb {

    @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan.")
    String trigger;

    @Option(names = "--decision", required = true, paramLabel = "DECISION", description = "${COMPLETION-CANDIDATES}.")
    DecisionRecorder.Kind decision;

    @Option(names = "--by", required = true, paramLabel = "USER", description = "Jenkins user id of who decided.")
    String by;

    @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Jenkins groups of that user, comma-separated. Default: none.")
    List<String> groups = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; required for approve and reject.")
    String reason;

    @Option(names = "--level", paramLabel = "N", defaultValue = "0",
        description = "Escalation level reached: 0 primary, 1 backup, 2 escalation. Default: ${DEFAULT-VALUE}.")
    int level;

    @Option(names = "--requested-by", paramLabel = "USER", description = "Who requested the rollback; may not approve it.")
    String requestedBy;

    @Option(names = "--database", description = "This is the two-person authorization of a database rollback.")
    boolean database;

    @Option(names = "--administrator", description = "The person is a Jenkins administrator (an override, only if the plan allows it).")
    boolean administrator;

    @Override
    Outcome execute(Journal journal) {
      var outcome = new DecisionRecorder(plan.plan(), journal).record(new DecisionRecorder.Decision(trigger, decision, by, groups, reason,
          level, requestedBy, database, administrator));
      List<String> text = new ArrayList<>();
      text.add(String.format("Recorded: %s %s %s as %s", by, decision, trigger, outcome.role()));
      if (database) {
        text.add(outcome.databaseAuthorized() ? "  database rollback authorized by " + String.join(" and ", outcome.databaseApprovers())
            : "  database rollback not yet authorized: approvals so far " + outcome.databaseApprovers());
      }
      return new Outcome(ExitCode.OK, outcome.asData(), text);
    }
  }
}
