package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "restore", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Scenario D (§5.4): emergency restore from backup — 'lmsctl rollback --scenario D' by its own name.",
        "",
        "Records the escalation to the executive level, routes LMS to the maintenance host (the environment's maintenanceHost), restores the database with pg_restore from --dump, redeploys the last known good image on Blue and waits for its rollout, then verifies (Blue ready, the plan's integrity checks, and the smoke tests) and only then leaves maintenance onto Blue. Each step is journaled and timed against the 30–60 min budget; a killed run resumes like 'lmsctl rollback'."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  restored and verified   2  invalid input   3  cluster not as expected   4  verification failed (maintenance stays on)",
        "  1  the restore failed (maintenance stays on)", "",
        "Example:", "  LMS_DATABASE_URL=… lmsctl restore --env production --trigger BUS-004 --dump /backups/lms-2026-11-24.dump", ""})
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
