package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rollback", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Run a rollback scenario of §5 (A, B, C or D): the one rollback run, from preflight to report.",
        "",
        "Preflight: before the first change, checks everything the run will need (the VirtualService and Deployments, Blue's capacity, Prometheus answering, the smoke tests' credentials, scenario D's --dump) and refuses with nothing changed or sent.",
        "",
        "Decision: a MAN- or BUS- trigger stops the run at its gate (exit 5) until the journal holds a decision by the trigger's authority, and for a scenario with a database step the DBA's and the Release Commander's authorization (two people, neither the requester). The prompt is opened and its deciders told (with the link to --build-url); they decide with 'lmsctl gate record', then the same command goes on. --wait waits here instead, with reminders and escalation. A rejection ends the run: the war room is told nothing was rolled back, and the report says so. An AUTO- trigger needs no decision only when the engine measured it to hold (the watch that started the run journaled it, or the run measures it before its decision); named but not measured to hold, it is decided as a manual request by the Release Commander.",
        "",
        "Steps: the environment's lease is held for the whole run, each step timed against its budget, the stop rules applied (Blue unhealthy after the switch: Green is left alone; a failed database downgrade: stop, restore from backup with scenario D), the §6.1 messages sent as their events happen, and the §8 report written.",
        "",
        "Each step's outcome is also written as it ends to OUT-DIR/steps/ACTION.json (the step's element of -o json's \"steps\"): Jenkins' stages follow one rollback process by these files.",
        "",
        "--through pauses after a point (preflight, decision, or a step), keeping the lease: Jenkins' Preflight stops at the decision. A call continues the journal's unfinished run only as that run started — the same scenario, environment, trigger and requester (who may not approve it); a call naming others is refused with nothing changed. If it is killed — kill -9, a lost agent, a reboot — run the same command again: it reads the journal, checks again what was done (traffic still on Blue, Blue still serving, Green still down, the database still at its target), runs again the step that was cut off, and finishes. A database step never goes further down than the revision it first planned."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  the scenario completed (or paused after --through; or the dry run found nothing wrong)", "  2  invalid input, or the preflight found a missing input (e.g. --dump, smoke credentials): nothing was done",
        "  3  the cluster was not as expected, or another rollback holds the environment", "  4  a verification failed: the run stopped there",
        "  5  waiting for a decision (the prompt is open), or the rollback was rejected or not decided in time: nothing was changed",
        "  1  another failure (a downgrade or restore failed: see the message)", "",
        "Examples:", "  lmsctl rollback --scenario B --env production --trigger MAN-001 --requested-by dev.smith \\",
        "      --reason \"error rate 3%% for 20 minutes\"",
        "  lmsctl gate record --trigger MAN-001 --decision approve --by rc.jones \\",
        "      --groups lms-release-commanders --requested-by dev.smith --reason \"confirmed on the dashboards\"",
        "  lmsctl rollback --scenario B --env production --trigger MAN-001 --requested-by dev.smith \\",
        "      --reason \"error rate 3%% for 20 minutes\"          # the same command goes on after the decision",
        "  lmsctl rollback --scenario B --env production --trigger AUTO-001 --dry-run",
        "  lmsctl rollback --scenario C --env staging --trigger MAN-004 --rehearsal --executor local \\",
        "      --migrations ./lms --requested-by dba.lee --reason \"monthly rehearsal\"     # with LMS_DATABASE_URL set",
        "  lmsctl rollback --scenario D --env production --trigger BUS-004 --dump /backups/lms-2026-11-24.dump", ""})
final class RollbackCommand extends ScenarioVerb {

  @Option(names = "--scenario", required = true, paramLabel = "A|B|C|D", description = "Scenario of §5.")
  String scenario;

  @Option(names = "--dump", paramLabel = "FILE", description = "Scenario D: the pg_dump archive (-Fc) to restore.")
  Path dump;

  @Option(names = "--image", paramLabel = "IMAGE", description = "Scenario D: the last known good image for Blue. Default: the image Blue runs.")
  String image;

  @Override
  String scenarioName() {
    return scenario;
  }

  @Override
  Path dump() {
    return dump;
  }

  @Override
  String redeployImage() {
    return image;
  }
}
