package lms.rollback.cli;

import java.nio.file.Path;
import lms.rollback.plan.Environment;
import lms.rollback.runbook.DatabaseSteps;
import picocli.CommandLine.Option;

/** Where alembic runs and how far down it goes; the database URL itself only ever comes from the environment. */
public final class DatabaseOptions {

  @Option(names = "--target", paramLabel = "REVISION", defaultValue = DatabaseSteps.DEFAULT_TARGET,
      description = "Alembic revision to go down to: -N (N steps), a revision id, or base. Default: ${DEFAULT-VALUE}.")
  String target = DatabaseSteps.DEFAULT_TARGET;

  @Option(names = "--executor", paramLabel = "KIND", description = "Where alembic runs: ${COMPLETION-CANDIDATES}. Default: the environment's database.executor (job: Green's image in a Kubernetes Job).")
  Environment.Executor executor;

  @Option(names = "--migrations", paramLabel = "DIR", description = "For --executor local: the directory with alembic.ini. Default: the environment's database.migrations (.).")
  Path migrations;

  /** The options as the engine takes them, the URL read from this process's environment. */
  DatabaseSteps.Source source() {
    return new DatabaseSteps.Source(executor, migrations, target, System.getenv());
  }
}
