package lms.rollback.cli;

import java.nio.file.Path;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.gate.GateNotifier;
import lms.rollback.gate.Prompt;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options the gate verbs share, each declared once and mixed in where a verb takes it, at the place its help
 * lists it. What an option means to one verb (its description) is in that verb's help bundle, under the option's name.
 */
final class GateOptions {

  private GateOptions() {}

  static final class Trigger {
    @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan, e.g. MAN-001.")
    String trigger;
  }

  static final class Scenario {
    @Option(names = "--scenario", paramLabel = "A|B|C|D", description = "Scenario to be run. Default: none.")
    String scenario;
  }

  static final class Requester {
    @Option(names = "--requested-by", paramLabel = "USER", description = "Who requested the rollback.")
    String requestedBy;
  }

  static final class BuildUrl {
    @Option(names = "--build-url", paramLabel = "URL", defaultValue = "${env:BUILD_URL}",
        description = "The Jenkins build whose input page the notices link to. Default: $BUILD_URL.")
    String buildUrl;
  }

  /** Which prompt: a level of escalation, or the database rollback's two-person authorization. */
  static final class PromptChoice {
    @Mixin Trigger trigger;

    @Option(names = "--level", paramLabel = "N", defaultValue = "0",
        description = "Escalation level of the prompt: 0 primary, 1 backup, 2 escalation. Default: ${DEFAULT-VALUE}.")
    int level;

    @Option(names = "--database", description = "The prompt is the two-person authorization of the database rollback (§4.2 step 4).")
    boolean database;

    String trigger() {
      return trigger.trigger;
    }

    Prompt prompt() {
      return database ? Prompt.database(trigger.trigger) : Prompt.level(trigger.trigger, level);
    }
  }

  /** How the notices of a prompt are written and sent. */
  static final class Delivery {
    @Option(names = "--templates", paramLabel = "DIR", description = "Directory of template files overriding the built-in ones.")
    Path templates;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + Notifier.DEFAULT_ATTEMPTS, description = "Delivery attempts per channel. Default: ${DEFAULT-VALUE}.")
    int attempts;

    GateNotifier notifier(PlanOptions plan, Journal journal) {
      return GateOptions.notifier(plan, journal, templates, attempts);
    }
  }

  static GateNotifier notifier(PlanOptions plan, Journal journal, Path templates, int attempts) {
    return GateNotifier.create(plan.plan(), journal, new MessageTemplates(templates), System.getenv(), attempts, Progress.stderr());
  }

  static GateNotifier notifier(PlanOptions plan, Journal journal) {
    return notifier(plan, journal, null, Notifier.DEFAULT_ATTEMPTS);
  }
}
