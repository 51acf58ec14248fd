package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Scenario D by its own name: the one rollback run, restoring from a backup. Help: help/restore.properties. */
@Command(name = "restore", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.restore")
final class RestoreCommand extends ScenarioVerb {

  public static final String SCENARIO = "D";

  @Option(names = "--dump", required = true, paramLabel = "FILE", description = "The pg_dump archive (-Fc) to restore.")
  Path dump;

  @Option(names = "--image", paramLabel = "IMAGE", description = "The last known good image for Blue. Default: the image Blue runs.")
  String image;

  @Override
  String scenarioName() {
    return SCENARIO;
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
