package lms.rollback.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.gate.ApprovalLink;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.GateRun;
import lms.rollback.gate.PromptLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A decision checked against the authority matrix, journaled, and the gate moved on. Help: help/gate-record.properties. */
@Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-record")
final class GateRecordVerb extends Verb {

  @Mixin DecisionOptions decided;

  @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Jenkins groups of that user, comma-separated. Default: none.")
  List<String> groups = new ArrayList<>();

  @Mixin GateOptions.Requester requester;

  @Option(names = "--administrator", description = "The person is a Jenkins administrator (an override, only if the plan allows it).")
  boolean administrator;

  @Mixin GateOptions.BuildUrl buildUrl;
  @Mixin GateOptions.Scenario scenario;

  @Option(names = "--sign-with", paramLabel = "KEY", defaultValue = "${env:LMS_DECISION_KEY}")
  Path signWith;

  @Option(names = "--signature", paramLabel = "FILE")
  Path signature;

  @Override
  Outcome execute(Journal journal) {
    if (signWith != null && signature != null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign-with and --signature: give one; allowed: sign here with your key, or bring a signature");
    }
    String armored = null;
    if (signature != null) {
      armored = lms.rollback.gate.DecisionSignature.readArmored(signature);
    }
    String requestedBy = requester.requestedBy;
    var outcome = new DecisionRecorder(plan.plan(), journal).signing(new DecisionRecorder.Signing(plan.environmentName(), signWith, armored))
        .record(decided.decision(groups, requestedBy, administrator));
    String trigger = decided.trigger();
    // the gate moves on from here: the next level's or the database's prompt opens with its notice
    RunLog.Start run = RunLog.read(journal).unfinished();
    String runScenario = run != null ? run.scenario() : scenario.scenario;
    if (runScenario != null) plan.plan().scenario(runScenario);
    GateRun.State state = new GateRun(plan.plan(), journal, journal.clock()).advance(trigger, runScenario,
        run != null && run.rehearsal(), new PromptLog.Request(requestedBy, null, runScenario, plan.environmentName(), null,
            ApprovalLink.of(buildUrl.buildUrl)), GateOptions.notifier(plan, journal), 1.0);
    Map<String, Object> data = new LinkedHashMap<>(outcome.asData());
    data.put("recordedBy", output.actor());
    data.put("gate", state.asData());
    List<String> text = new ArrayList<>();
    // who the decision names, who the call says it is, and the login that recorded it: on a terminal only a signature proves more
    lms.rollback.audit.Login login = lms.rollback.audit.Login.current();
    data.put("login", login.describe());
    text.add(String.format("Recorded: %s %s %s as %s (%s, recorded by %s)", decided.by, decided.decision, trigger, outcome.role(),
        outcome.signedBy() != null ? "signed by key " + outcome.signedBy() : "asserted by " + output.actor(), login.describe()));
    if (decided.database()) {
      text.add(outcome.databaseAuthorized() ? "  database rollback authorized by " + String.join(" and ", outcome.databaseApprovers())
          : "  database rollback not yet authorized: approvals so far " + outcome.databaseApprovers());
    }
    text.add("  gate: " + state.describe());
    return new Outcome(ExitCode.OK, data, text);
  }
}
