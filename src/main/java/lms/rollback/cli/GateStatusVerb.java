package lms.rollback.cli;

import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.ApprovalLink;
import lms.rollback.gate.GateRun;
import lms.rollback.gate.PromptLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the gate of the current run stands, moved on where time does. Help: help/gate-status.properties. */
@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-status")
final class GateStatusVerb extends Verb {

  @Mixin GateOptions.Trigger trigger;
  @Mixin GateOptions.Scenario scenario;

  // required here, unlike GateOptions.Requester: the gate's state machine keeps the requester from approving
  @Option(names = "--requested-by", required = true, paramLabel = "USER", description = "Who requested the rollback; their own approval never counts.")
  String requestedBy;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why the rollback is requested, for the notices.")
  String reason;

  @Option(names = "--rehearsal", description = "A rehearsal: no two-person authorization.")
  boolean rehearsal;

  @Mixin GateOptions.BuildUrl buildUrl;

  @Override
  Outcome execute(Journal journal) {
    String scenario = this.scenario.scenario;
    String trigger = this.trigger.trigger;
    if (scenario != null) plan.plan().scenario(scenario);
    GateRun.State state = new GateRun(plan.plan(), journal, journal.clock()).advance(trigger, scenario, rehearsal,
        new PromptLog.Request(requestedBy, reason, scenario, plan.environmentName(), null, ApprovalLink.of(buildUrl.buildUrl)),
        GateOptions.notifier(plan, journal), 1.0);
    return new Outcome(state.decided() ? ExitCode.OK : ExitCode.NOT_AUTHORIZED, state.asData(), List.of(trigger + ": " + state.describe()));
  }
}
