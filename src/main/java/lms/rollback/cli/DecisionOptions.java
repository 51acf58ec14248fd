package lms.rollback.cli;

import java.util.List;
import lms.rollback.gate.DecisionRecorder;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What a decision says — which prompt, who, what and why: recorded by 'gate record', signed over by 'gate statement'. */
final class DecisionOptions {

  @Mixin GateOptions.PromptChoice prompt;

  @Option(names = "--decision", required = true, paramLabel = "DECISION", description = "${COMPLETION-CANDIDATES}.")
  DecisionRecorder.Kind decision;

  @Option(names = "--by", required = true, paramLabel = "USER",
      description = "Jenkins user id of who decided (for a signed decision: the principal of their key in the plan's allowed signers).")
  String by;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; required for approve and reject: from the plan's gate.minReasonLength to 2000 characters (longer: refused, exit 2; it travels in every notice of the gate).")
  String reason;

  String trigger() {
    return prompt.trigger();
  }

  boolean database() {
    return prompt.database;
  }

  DecisionRecorder.Decision decision(List<String> groups, String requestedBy, boolean administrator) {
    return new DecisionRecorder.Decision(prompt.trigger(), decision, by, groups, reason, prompt.level, requestedBy, prompt.database, administrator);
  }
}
