package lms.rollback.runbook;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.core.VerificationException;
import lms.rollback.database.BackupRestore;
import lms.rollback.database.DatabaseRollback;
import lms.rollback.database.DatabaseUrl;
import lms.rollback.database.IntegrityChecks;
import lms.rollback.database.JobMigrationProcess;
import lms.rollback.database.LocalMigrationProcess;
import lms.rollback.database.MigrationProcess;
import lms.rollback.plan.DatabasePlan;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;

/** The database-side executors of the scenario steps: downgrade (C), integrity checks (C, D), restore (D). */
public final class DatabaseSteps {

  public static final String JUNIT_FILE = "data-integrity-junit.xml";

  /** {@code dump} only for scenario D; {@code process} only for scenario C. */
  public record Settings(DatabasePlan plan, DatabaseUrl url, MigrationProcess process, String target, boolean rehearsal, String trigger,
      Path dump, Path outDir) {}

  public static final String DEFAULT_TARGET = "-1";

  /**
   * How a person chose to reach the database: where alembic runs ({@code executor}, {@code migrations}: null for the
   * environment's own) and how far down it goes; the URL only ever comes from the variable the plan names, read from
   * {@code variables}. The run, {@code watch} and {@code db-rollback} build their database side from this alone.
   */
  public record Source(Environment.Executor executor, Path migrations, String target, Map<String, String> variables) {

    /** The environment's own settings, the URL from the process's environment: a run no option was given for. */
    public static Source defaults() {
      return new Source(null, null, DEFAULT_TARGET, System.getenv());
    }

    /** The database's URL; refused (exit 2) when the plan gives the environment no database or the variable is unset. */
    public DatabaseUrl url(Environment env) {
      if (env.database() == null) {
        throw new LmsException(ExitCode.INVALID_INPUT, "the plan has no database for this environment (environments.<env>.database)");
      }
      return DatabaseUrl.fromEnvironment(env.database().urlEnv(), variables);
    }

    /** Where alembic runs: Green's image in a Kubernetes Job, or a local process. */
    public MigrationProcess process(ClusterSession cluster, Environment env, DatabaseUrl url, DatabasePlan plan, Progress progress) {
      Environment.Executor kind = executor != null ? executor : env.database().executor();
      return switch (kind) {
        case local -> new LocalMigrationProcess(plan.alembic().local(), migrations != null ? migrations : Path.of(env.database().migrations()), url,
            plan.alembic().timeout().limit(), progress);
        case job -> new JobMigrationProcess(cluster, env, plan.alembic().job(), plan.alembic().timeout().limit());
      };
    }

    /** The database steps of {@code scenario}, or null when it has none. */
    public DatabaseSteps steps(Scenario scenario, ClusterSession cluster, Environment env, DatabasePlan plan, boolean rehearsal, String trigger, Path dump,
        Path outDir) {
      if (!scenario.needsDatabase()) return null;
      DatabaseUrl url = url(env);
      MigrationProcess process = scenario.steps().stream().anyMatch(s -> s.action() == StepAction.DATABASE_ROLLBACK)
          ? process(cluster, env, url, plan, cluster.progress()) : null;
      return new DatabaseSteps(cluster.journal(), cluster.progress(), new Settings(plan, url, process, target, rehearsal, rehearsal ? null : trigger,
          dump, outDir));
    }
  }

  private final Journal journal;
  private final Progress progress;
  private final Settings settings;

  public DatabaseSteps(Journal journal, Progress progress, Settings settings) {
    this.journal = journal;
    this.progress = progress;
    this.settings = settings;
  }

  public RunStateMachine register(RunStateMachine runner) {
    return runner.on(StepAction.DATABASE_ROLLBACK, s -> downgrade())
        .on(StepAction.VERIFY_DATA, s -> integrity())
        .on(StepAction.RESTORE_DATABASE, s -> restore())
        .stillDone(StepAction.DATABASE_ROLLBACK, this::stillDowngraded);
  }

  private DatabaseRollback rollback() {
    return new DatabaseRollback(settings.plan(), journal, settings.process(), progress);
  }

  private String downgrade() {
    DatabaseRollback.Result r = rollback().execute(new DatabaseRollback.Request(settings.target(), settings.rehearsal(), settings.trigger()));
    return r.changed() ? "alembic " + r.before() + " -> " + r.after() + " (undid " + String.join(", ", r.undone()) + ")"
        : "already at " + r.after() + " (no-op)";
  }

  private String stillDowngraded() {
    DatabaseRollback rollback = rollback();
    String to = rollback.downgradedTo();
    String now = rollback.current();
    if (to != null && !to.equals(now)) throw new VerificationException("the database is at " + now + ", not at " + to + " where the rollback left it");
    return "database at " + now;
  }

  /** The plan's integrity checks; any that does not pass fails the step. */
  public String integrity() {
    List<CheckResult> results = new IntegrityChecks(journal).run(settings.url(), settings.plan().integrityChecks());
    Checks.writeJUnit(settings.outDir().resolve(JUNIT_FILE), IntegrityChecks.SUITE, results);
    List<String> bad = results.stream().filter(c -> !c.passed()).map(c -> c.name() + " " + c.status()
        + (c.measured() == null ? "" : " (" + c.measured() + ", needs " + c.threshold() + ")")).toList();
    if (!bad.isEmpty()) throw new VerificationException("data integrity checks failed: " + String.join(", ", bad));
    return results.size() + " of " + results.size() + " integrity checks passed";
  }

  private String restore() {
    BackupRestore.Result r = new BackupRestore(settings.plan().restoreCommand(), settings.plan().restoreTimeout().limit(), journal, progress)
        .restore(settings.dump(), settings.url());
    return "restored " + r.dump().getFileName() + " (" + r.bytes() + " bytes, sha256 " + r.sha256().substring(0, 12) + "…) into " + settings.url();
  }
}
