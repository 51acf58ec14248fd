package lms.rollback.cli;

import java.nio.file.Path;
import lms.rollback.cluster.Cluster;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.database.DatabaseUrl;
import lms.rollback.database.JobMigrationProcess;
import lms.rollback.database.LocalMigrationProcess;
import lms.rollback.database.MigrationProcess;
import lms.rollback.plan.DatabasePlan;
import lms.rollback.plan.Environment;
import picocli.CommandLine.Option;

/** Where alembic runs and how far down it goes; the database URL itself only ever comes from the environment. */
public final class DatabaseOptions {

  public static final String DEFAULT_TARGET = "-1";

  @Option(names = "--target", paramLabel = "REVISION", defaultValue = DEFAULT_TARGET,
      description = "Alembic revision to go down to: -N (N steps), a revision id, or base. Default: ${DEFAULT-VALUE}.")
  String target = DEFAULT_TARGET;

  @Option(names = "--executor", paramLabel = "KIND", description = "Where alembic runs: ${COMPLETION-CANDIDATES}. Default: the environment's database.executor (job: Green's image in a Kubernetes Job).")
  Environment.Executor executor;

  @Option(names = "--migrations", paramLabel = "DIR", description = "For --executor local: the directory with alembic.ini. Default: the environment's database.migrations (.).")
  Path migrations;

  DatabaseUrl url(Environment env) {
    if (env.database() == null) {
      throw new LmsException(ExitCode.INVALID_INPUT, "the plan has no database for this environment (environments.<env>.database)");
    }
    return DatabaseUrl.fromEnvironment(env.database().urlEnv(), System.getenv());
  }

  /**
   * The database steps of {@code scenario} as every verb that runs one gets them ('rollback', 'restore', 'watch'), or
   * null when it has none: the URL from the environment, alembic where the options say, the dump to restore.
   */
  lms.rollback.runbook.DatabaseSteps steps(lms.rollback.plan.Scenario scenario, Cluster cluster, Environment env, lms.rollback.plan.Plan plan,
      lms.rollback.audit.Journal journal, Progress progress, boolean rehearsal, String trigger, Path dump, Path outDir) {
    if (!scenario.needsDatabase()) return null;
    DatabaseUrl url = url(env);
    MigrationProcess process = scenario.steps().stream().anyMatch(s -> s.action() == lms.rollback.plan.StepAction.DATABASE_ROLLBACK)
        ? process(cluster, env, url, plan.database(), progress) : null;
    return new lms.rollback.runbook.DatabaseSteps(journal, progress, new lms.rollback.runbook.DatabaseSteps.Settings(plan.database(), url, process,
        target, rehearsal, rehearsal ? null : trigger, dump, outDir));
  }

  MigrationProcess process(Cluster cluster, Environment env, DatabaseUrl url, DatabasePlan plan, Progress progress) {
    Environment.Executor kind = executor != null ? executor : env.database().executor();
    return switch (kind) {
      case local -> new LocalMigrationProcess(plan.alembic().local(), migrations != null ? migrations : Path.of(env.database().migrations()), url,
          plan.alembic().timeout().limit(), progress);
      case job -> new JobMigrationProcess(cluster, env, plan.alembic().job(), plan.alembic().timeout().limit());
    };
  }
}
