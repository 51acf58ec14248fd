package lms.rollback.cli;

import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.Progress;
import lms.rollback.gate.ApprovalLink;
import lms.rollback.gate.Authority;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.GateNotifier;
import lms.rollback.gate.GatePlan;
import lms.rollback.gate.GateReminders;
import lms.rollback.gate.GateRun;
import lms.rollback.gate.Prompt;
import lms.rollback.gate.PromptLog;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "gate", mixinStandardHelpOptions = true, subcommands = {GateCommand.PlanVerb.class, GateCommand.StatusVerb.class, GateCommand.RecordVerb.class, GateCommand.StatementVerb.class, GateCommand.NotifyVerb.class, GateCommand.RemindVerb.class},
    description = {"Who may decide a rollback (runbook §3), and the record of each decision.",
        "",
        "'gate plan' says who decides a trigger and how long each level of escalation may take; 'gate notify' opens a prompt and tells its deciders, with the link to it; 'gate remind' sends the prompt's reminders until it is decided; 'gate record' checks a decision against the plan's authority matrix, journals it and closes the prompt (signed with the decider's SSH key where the plan asks for it); 'gate statement' prints what such a signature signs."},
    footer = {"", "Examples:", "  lmsctl gate plan --trigger MAN-001 -o json",
        "  lmsctl gate notify --trigger MAN-001 --level 0 --build-url \"$BUILD_URL\" --requested-by dev.smith \\",
        "      --reason \"error rate 3%%\"",
        "  lmsctl gate remind --trigger MAN-001 --level 0",
        "  lmsctl gate record --trigger MAN-001 --decision approve --by rc.jones \\",
        "      --groups lms-release-commanders --requested-by dev.smith \\",
        "      --reason \"error rate 3%% for 20 minutes, fix needs a day\"", ""})
final class GateCommand extends CommandGroup {


  @Command(name = "plan", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Say who decides a trigger: whether approval is needed at all (AUTO triggers: not when the engine measured them to hold; named but not measured, they are decided as a manual request), the primary, backup and escalation authorities (§3.1) with the Jenkins users/groups of each and the decision window of each (§2.2; \"Immediate\" is the plan's gate.immediateWindow), and whether the two-person rule of §4.2 step 4 applies.",
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
      journal.append(Event.GATE_PLAN, gate.asData());
      List<String> text = new ArrayList<>();
      text.add(gate.trigger() + " (" + gate.type() + "): " + gate.condition());
      if (!gate.approvalNeeded()) text.add("  no approval needed: the rollback starts at once (§2.1)");
      for (GatePlan.Level l : gate.levels()) {
        text.add(String.format("  level %d  %-24s %-5s may decide: %s", l.level(), l.title(), lms.rollback.plan.Budget.format(l.window()),
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

  @Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Check a decision against the authority matrix and journal it.",
          "",
          "The person (--by, with their Jenkins --groups) must hold the authority of the level the gate has reached, or of an earlier level; the requester may not approve; a reason of at least the plan's gate.minReasonLength characters is required. With --database the two-person rule applies instead: the DBA and the Release Commander, two different people, neither the requester; once both have approved, the journal records the database rollback as authorized. A refused decision is journaled too.",
          "",
          "On a terminal a login proves nothing: --sign-with KEY signs the decision with the decider's SSH key (ssh-keygen -Y sign over the run's id, the trigger, the prompt, the decision, the decider and the reason) and it is verified against the plan's gate.signatures.allowedSigners; the report then shows it as signed by that key, otherwise as asserted by the login that recorded it. On an environment in gate.signatures.requiredOn an unsigned decision is refused. --signature FILE takes a signature made elsewhere of what 'lmsctl gate statement' prints."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  recorded", "  2  invalid input (unknown trigger, short reason, an AUTO trigger the engine measured to hold)", "  5  this person may not take this decision, or its signature is missing or does not verify", "",
          "Examples:",
          "  lmsctl gate record --trigger MAN-004 --database --decision approve --by dba.lee --groups lms-dbas \\",
          "      --requested-by dev.smith --reason \"orphaned leave requests since 02:10\"",
          "  lmsctl gate record --trigger MAN-001 --decision approve --by rc.jones \\",
          "      --groups lms-release-commanders --requested-by dev.smith \\",
          "      --reason \"error rate 3%% for 20 minutes\" --sign-with ~/.ssh/id_ed25519", ""})
  static final class RecordVerb extends Verb {

    @Mixin DecisionOptions decided;

    @Option(names = "--groups", split = ",", paramLabel = "GROUP", description = "Jenkins groups of that user, comma-separated. Default: none.")
    List<String> groups = new ArrayList<>();

    @Option(names = "--requested-by", paramLabel = "USER", description = "Who requested the rollback; may not approve it.")
    String requestedBy;

    @Option(names = "--administrator", description = "The person is a Jenkins administrator (an override, only if the plan allows it).")
    boolean administrator;

    @Option(names = "--build-url", paramLabel = "URL", defaultValue = "${env:BUILD_URL}",
        description = "The Jenkins build whose input page the next prompt's notice links to. Default: $BUILD_URL.")
    String buildUrl;

    @Option(names = "--scenario", paramLabel = "A|B|C|D",
        description = "The scenario decided, when no run of it is in the journal yet (a decision recorded before 'lmsctl rollback'): one with a database step then opens the two-person authorization. Default: the run's.")
    String scenario;

    @Option(names = "--sign-with", paramLabel = "KEY", defaultValue = "${env:LMS_DECISION_KEY}",
        description = "Sign the decision with this SSH key (a private key file, or the .pub of a key in ssh-agent), verified against the plan's allowed signers. Default: $LMS_DECISION_KEY, else unsigned.")
    java.nio.file.Path signWith;

    @Option(names = "--signature", paramLabel = "FILE",
        description = "A signature made elsewhere (ssh-keygen -Y sign -n lms-rollback-decision) of what 'lmsctl gate statement' prints for this decision.")
    java.nio.file.Path signature;

    @Override
    Outcome execute(Journal journal) {
      if (signWith != null && signature != null) {
        throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--sign-with and --signature: give one; allowed: sign here with your key, or bring a signature");
      }
      String armored = null;
      if (signature != null) {
        try {
          armored = java.nio.file.Files.readString(signature);
        } catch (java.io.IOException e) {
          throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--signature: " + signature + " cannot be read (" + e.getMessage() + ")");
        }
      }
      var outcome = new DecisionRecorder(plan.plan(), journal).signing(new DecisionRecorder.Signing(plan.environmentName(), signWith, armored))
          .record(decided.decision(groups, requestedBy, administrator));
      String trigger = decided.trigger();
      // the gate moves on from here: the next level's or the database's prompt opens with its notice
      RunLog.Start run = RunLog.read(journal).unfinished();
      String runScenario = run != null ? run.scenario() : scenario;
      if (runScenario != null) plan.plan().scenario(runScenario);
      GateRun.State state = new GateRun(plan.plan(), journal, journal.clock()).advance(trigger, runScenario,
          run != null && run.rehearsal(), new PromptLog.Request(requestedBy, null, runScenario, plan.environmentName(), null,
              ApprovalLink.of(buildUrl)), notifier(plan, journal, null, Notifier.DEFAULT_ATTEMPTS), 1.0);
      java.util.Map<String, Object> data = new java.util.LinkedHashMap<>(outcome.asData());
      data.put("recordedBy", output.actor());
      data.put("gate", state.asData());
      List<String> text = new ArrayList<>();
      text.add(String.format("Recorded: %s %s %s as %s%s", decided.by, decided.decision, trigger, outcome.role(),
          lms.rollback.gate.Identity.same(decided.by, output.actor()) ? "" : " (asserted by " + output.actor() + ")"));
      if (decided.database()) {
        text.add(outcome.databaseAuthorized() ? "  database rollback authorized by " + String.join(" and ", outcome.databaseApprovers())
            : "  database rollback not yet authorized: approvals so far " + outcome.databaseApprovers());
      }
      text.add("  gate: " + state.describe());
      return new Outcome(ExitCode.OK, data, text);
    }
  }

  @Command(name = "statement", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Print exactly what a signed decision signs, for signing on another machine: the run's id, the trigger, the prompt, the decision, the decider and the reason.",
          "",
          "Sign it with ssh-keygen and record the decision with --signature; the run must have started (it names the run, so the signature is good for this run only)."},
      footer = {"", "Example:",
          "  lmsctl gate statement --trigger MAN-001 --decision approve --by rc.jones \\",
          "      --reason \"error rate 3%% for 20 minutes\"",
          "  # on the decider's machine, what it printed:",
          "  #   ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n lms-rollback-decision < statement.txt > decision.sig",
          "  lmsctl gate record --trigger MAN-001 --decision approve --by rc.jones \\",
          "      --groups lms-release-commanders --requested-by dev.smith \\",
          "      --reason \"error rate 3%% for 20 minutes\" --signature decision.sig", ""})
  static final class StatementVerb extends Verb {

    @Mixin DecisionOptions decided;

    @Override
    Outcome execute(Journal journal) {
      String trigger = decided.trigger();
      plan.plan().trigger(trigger);
      if (decided.reason == null || decided.reason.isBlank()) {
        throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--reason: what the decision will record, exactly; a signed decision signs it");
      }
      var d = decided.decision(List.of(), null, false);
      String runId = new DecisionRecorder(plan.plan(), journal).runId(trigger);
      if (runId == null) {
        throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--trigger: no run of " + trigger + " has started in " + journal.file()
            + ": run the rollback first (it stops at its gate, exit 5); a signed decision names its run");
      }
      String text = lms.rollback.gate.DecisionSignature.statement(runId, trigger, DecisionRecorder.promptOf(d), d.kind().name(), d.by(), d.reason().strip());
      java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
      data.put("runId", runId);
      data.put("namespace", plan.plan().gate().signatures().namespace());
      data.put("statement", text);
      // the text is the data: printed as it is signed, with no trailing line of ours
      return new Outcome(ExitCode.OK, data, List.of(text.substring(0, text.length() - 1)));
    }
  }

  @Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Where the gate of the current run stands, moving it on where time does: opens the prompt that is due (telling its deciders, with the link to --build-url), records a window that ran out and escalates.",
          "",
          "The same state machine 'lmsctl rollback' runs its gate with; a pipeline that composes its own steps asks it before each prompt. Prints the open prompt (id, who may decide, seconds left, the message to show) or how the gate closed, with every decision that counted."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  decided: approved, or no approval needed", "  5  not decided: a prompt is open, or the gate closed without a decision to roll back",
          "  2  invalid input", "", "Example:",
          "  lmsctl gate status --trigger MAN-001 --scenario B --requested-by dev.smith \\",
          "      --reason \"error rate 3%%\" -o json", ""})
  static final class StatusVerb extends Verb {
    @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan, e.g. MAN-001.")
    String trigger;

    @Option(names = "--scenario", paramLabel = "A|B|C|D", description = "Scenario to be run; one with a database step adds the two-person authorization. Default: none.")
    String scenario;

    @Option(names = "--requested-by", required = true, paramLabel = "USER", description = "Who requested the rollback; their own approval never counts.")
    String requestedBy;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the rollback is requested, for the notices.")
    String reason;

    @Option(names = "--rehearsal", description = "A rehearsal: no two-person authorization.")
    boolean rehearsal;

    @Option(names = "--build-url", paramLabel = "URL", defaultValue = "${env:BUILD_URL}", description = "The Jenkins build whose input page the notices link to. Default: $BUILD_URL.")
    String buildUrl;

    @Override
    Outcome execute(Journal journal) {
      if (scenario != null) plan.plan().scenario(scenario);
      GateRun.State state = new GateRun(plan.plan(), journal, journal.clock()).advance(trigger, scenario, rehearsal,
          new PromptLog.Request(requestedBy, reason, scenario, plan.environmentName(), null, ApprovalLink.of(buildUrl)),
          notifier(plan, journal, null, Notifier.DEFAULT_ATTEMPTS), 1.0);
      return new Outcome(state.decided() ? ExitCode.OK : ExitCode.NOT_AUTHORIZED, state.asData(), List.of(trigger + ": " + state.describe()));
    }
  }

  /** Which prompt: a level of escalation, or the database rollback's two-person authorization. */
  static final class PromptOptions {
    @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan, e.g. MAN-001.")
    String trigger;

    @Option(names = "--level", paramLabel = "N", defaultValue = "0",
        description = "Escalation level of the prompt: 0 primary, 1 backup, 2 escalation. Default: ${DEFAULT-VALUE}.")
    int level;

    @Option(names = "--database", description = "The prompt is the two-person authorization of the database rollback (§4.2 step 4).")
    boolean database;

    Prompt prompt() {
      return database ? Prompt.database(trigger) : Prompt.level(trigger, level);
    }
  }

  static GateNotifier notifier(PlanOptions plan, Journal journal, java.nio.file.Path templates, int attempts) {
    return GateNotifier.create(plan.plan(), journal, new MessageTemplates(templates), System.getenv(), attempts, Progress.stderr());
  }

  @Command(name = "notify", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Open a decision prompt and tell the people who must decide it.",
          "",
          "Journals the prompt as opened (unless it is open already: a re-run keeps its deadline) and sends, on the plan's gate.notices.channels (war-room webhook; email to the deciding role's own addresses in the plan), the trigger and its evidence, the scenario, who requested the rollback and why, the window and its deadline in UTC, and the one-click link to the build's approval page ($BUILD_URL + input/, user info and query stripped). Level 0 and --database also page the contact chain for the trigger (see 'lmsctl contacts'); level 1 and 2 are escalations and say who did not answer.",
          "",
          "A channel that fails is retried and journaled; it never holds up the gate."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  the prompt is open; every channel sent, or skipped because it is not configured",
          "  1  the prompt is open, but a channel failed after its retries (journaled)", "  2  invalid input (unknown trigger or level, AUTO trigger, bad --build-url)", "",
          "Example:",
          "  lmsctl gate notify --trigger MAN-001 --level 0 --build-url \"$BUILD_URL\" --requested-by dev.smith \\",
          "      --reason \"error rate 3%% for 20 minutes\" --scenario B --env production", ""})
  static final class NotifyVerb extends Verb {
    @Mixin PromptOptions prompt;

    @Option(names = "--build-url", paramLabel = "URL", defaultValue = "${env:BUILD_URL}",
        description = "The Jenkins build whose input page the link opens. Default: $BUILD_URL; without it the message says how to record a decision with lmsctl.")
    String buildUrl;

    @Option(names = "--requested-by", paramLabel = "USER", description = "Who requested the rollback.")
    String requestedBy;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the rollback is requested.")
    String reason;

    @Option(names = "--scenario", paramLabel = "A|B|C|D", description = "Scenario to be run. Default: not chosen yet.")
    String scenario;

    @Option(names = "--evidence", paramLabel = "TEXT",
        description = "What the trigger rests on. Default: the trigger's last measurement in the journal (lmsctl watch), else 'judged by a person'.")
    String evidence;

    @Option(names = "--templates", paramLabel = "DIR", description = "Directory of template files (gate-opened.txt, gate-escalated.txt, gate-reminder.txt) overriding the built-in ones.")
    java.nio.file.Path templates;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + Notifier.DEFAULT_ATTEMPTS, description = "Delivery attempts per channel. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Override
    Outcome execute(Journal journal) {
      if (scenario != null) plan.plan().scenario(scenario);
      var request = new PromptLog.Request(requestedBy, reason, scenario, plan.environmentName(), evidence, ApprovalLink.of(buildUrl));
      GateNotifier.Notice notice = notifier(plan, journal, templates, attempts).open(prompt.prompt(), request, 1.0);
      return new Outcome(notice.anyFailed() ? ExitCode.OTHER : ExitCode.OK, notice.asData(), notice.describe());
    }
  }

  @Command(name = "remind", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Send an open prompt's reminders as they fall due, until it is decided.",
          "",
          "Reads the prompt that 'gate notify' opened from the journal and sends a reminder at each point of gate.notices.reminders (by default at half the window and 1 minute before it closes) to everyone who may still decide it, on the same channels. Stops within half a second of the prompt being closed — a decision, a rejection or a timeout recorded by 'gate record', from Jenkins or another terminal — and journals the reminders it cancelled. Meant to run beside the prompt (the Jenkins step runs it in a parallel branch)."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  every reminder sent (or cancelled by the decision)", "  2  no open prompt for --trigger/--level in the journal", "",
          "Example:", "  lmsctl gate remind --trigger MAN-001 --level 0 &", ""})
  static final class RemindVerb extends Verb {
    @Mixin PromptOptions prompt;

    @Option(names = "--templates", paramLabel = "DIR", description = "Directory of template files overriding the built-in ones.")
    java.nio.file.Path templates;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + Notifier.DEFAULT_ATTEMPTS, description = "Delivery attempts per channel. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Override
    Outcome execute(Journal journal) {
      GateReminders.Result r = new GateReminders(notifier(plan, journal, templates, attempts), journal, journal.clock(), GateReminders.DEFAULT_POLL,
          Progress.stderr()).run(prompt.prompt());
      return new Outcome(ExitCode.OK, r.asData(), List.of(prompt.prompt().describe() + ": " + r.sent() + " reminder(s) sent"
          + (r.closedBy() == null ? "" : ", " + r.cancelled() + " cancelled: closed (" + r.closedBy() + ")")));
    }
  }
}
