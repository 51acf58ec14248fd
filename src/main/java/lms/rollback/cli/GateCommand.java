package lms.rollback.cli;

import picocli.CommandLine.Command;

/** Who may decide a rollback, and the record of each decision: the gate's verbs. Help: help/gate.properties. */
@Command(name = "gate", mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate",
    subcommands = {GatePlanVerb.class, GateStatusVerb.class, GateRecordVerb.class, GateStatementVerb.class, GateNotifyVerb.class, GateRemindVerb.class})
final class GateCommand extends CommandGroup {
}
