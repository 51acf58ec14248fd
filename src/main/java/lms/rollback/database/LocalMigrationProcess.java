package lms.rollback.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import lms.rollback.core.ChildProcess;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;

/**
 * Runs alembic as a process on this machine, in the directory that holds alembic.ini, with the
 * database URL in LMS_DATABASE_URL. Arguments are passed as a list: nothing goes through a shell.
 */
public final class LocalMigrationProcess implements MigrationProcess {

  /** The variable alembic's env.py reads the database URL from. */
  public static final String URL_VARIABLE = "LMS_DATABASE_URL";

  private final List<String> command;
  private final Path directory;
  private final DatabaseUrl url;
  private final Duration timeout;
  private final Progress progress;

  public LocalMigrationProcess(List<String> command, Path directory, DatabaseUrl url, Duration timeout, Progress progress) {
    if (!Files.isRegularFile(directory.resolve("alembic.ini"))) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--migrations: no alembic.ini in " + directory.toAbsolutePath()
          + "; give the directory of the LMS migrations (where alembic.ini is)");
    }
    this.command = List.copyOf(command);
    this.directory = directory;
    this.url = url;
    this.timeout = timeout;
    this.progress = progress;
  }

  @Override
  public Run alembic(List<String> arguments) {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(arguments);
    ChildProcess alembic = new ChildProcess("alembic", argv, progress).in(directory).environment(Map.of(URL_VARIABLE, url.forAlembic()));
    try {
      ChildProcess.Ended ended = alembic.run(timeout);
      return new Run(ended.exitCode(), ended.lines());
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot start " + String.join(" ", command) + ": " + e.getMessage()
          + "; install alembic (Debian: python3-alembic python3-psycopg2) or set database.alembic.local in the plan");
    } catch (TimeoutException e) {
      throw new LmsException(ExitCode.OTHER, "alembic " + String.join(" ", arguments) + " did not finish within " + timeout.toSeconds() + "s; it was killed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LmsException(ExitCode.OTHER, "interrupted while alembic ran");
    }
  }

  @Override
  public String describe() {
    return "local process " + String.join(" ", command) + " in " + directory.toAbsolutePath().normalize();
  }
}
