package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one rollback run of a scenario of §5. Help: help/rollback.properties. */
@Command(name = "rollback", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.rollback")
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
