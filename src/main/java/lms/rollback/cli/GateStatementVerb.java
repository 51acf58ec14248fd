package lms.rollback.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.DecisionSignature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** What a signed decision signs, for signing elsewhere. Help: help/gate-statement.properties. */
@Command(name = "statement", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-statement")
final class GateStatementVerb extends Verb {

  @Mixin DecisionOptions decided;

  @Override
  Outcome execute(Journal journal) {
    String trigger = decided.trigger();
    plan.plan().trigger(trigger);
    if (decided.reason == null || decided.reason.isBlank()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--reason: what the decision will record, exactly; a signed decision signs it");
    }
    var d = decided.decision(List.of(), null, false);
    String runId = new DecisionRecorder(plan.plan(), journal).runId(trigger);
    if (runId == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--trigger: no run of " + trigger + " has started in " + journal.file()
          + ": run the rollback first (it stops at its gate, exit 5); a signed decision names its run");
    }
    String text = DecisionSignature.statement(runId, trigger, DecisionRecorder.promptOf(d), d.kind().name(), d.by(), d.reason().strip());
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("runId", runId);
    data.put("namespace", plan.plan().gate().signatures().namespace());
    data.put("statement", text);
    // the text is the data: printed as it is signed, with no trailing line of ours
    return new Outcome(ExitCode.OK, data, List.of(text.substring(0, text.length() - 1)));
  }
}
