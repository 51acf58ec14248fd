package lms.rollback.cli;

import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.ClusterStatus;
import lms.rollback.core.ExitCode;
import lms.rollback.plan.Environment;
import picocli.CommandLine.Command;

@Command(name = "status", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Show where the environment's traffic goes and what runs on Blue and Green.",
        "",
        "Route weights, each Deployment's images and ready/desired replicas, how long ago Green was deployed (annotation lms-rollback/deployed-at, else its creation time) and therefore which rollback capability window of §1.2 applies. Changes nothing."},
    footer = {"", "Example:", "  lmsctl status --env production -o json", ""})
final class StatusCommand extends ClusterVerb {

  @Override
  boolean mutates() {
    return false;
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    ClusterStatus s = ClusterStatus.read(cluster, plan.plan(), plan.environmentName());
    return new Outcome(ExitCode.OK, s.asData(), s.describe());
  }
}
