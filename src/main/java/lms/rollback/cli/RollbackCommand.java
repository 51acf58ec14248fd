package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rollback", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Run a rollback scenario of §5 (A, B, C or D) step by step.",
        "",
        "Holds the environment's lease throughout (a second rollback of the same environment is refused), times each step against its budget, applies the stop rules (Blue unhealthy after the switch: Green is left alone; a failed database downgrade: stop, restore from backup with scenario D), sends the §6.1 messages as their events happen, and writes the §8 report.",
        "",
        "If it is killed — kill -9, a lost agent, a reboot — run the same command again: it reads the journal in --out-dir, skips the steps that ended well (after checking they still hold: traffic still on Blue, Green still down, the database still at its target), runs again the step that was cut off, and finishes. A database step never goes further down than the revision it first planned."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  the scenario completed (or paused after --through)", "  2  invalid input: nothing was done",
        "  3  the cluster was not as expected, or another rollback holds the environment", "  4  a verification failed: the run stopped there",
        "  5  the database step lacks its two-person authorization", "  1  another failure (a downgrade or restore failed: see the message)", "",
        "Examples:", "  lmsctl rollback --scenario B --env production --trigger MAN-001",
        "  LMS_DATABASE_URL=… lmsctl rollback --scenario C --env staging --trigger MAN-004 --rehearsal --executor local --migrations ./lms",
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
