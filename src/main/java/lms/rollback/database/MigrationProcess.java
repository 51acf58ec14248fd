package lms.rollback.database;

import java.util.List;

/** Where an alembic command runs: a process on this machine, or Green's image in a Kubernetes Job. */
public interface MigrationProcess {

  /** What a command printed, line by line, and how it ended. */
  record Run(int exitCode, List<String> output) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The last lines, for an error message. */
    public String tail(int lines) {
      return String.join("\n", output.subList(Math.max(0, output.size() - lines), output.size()));
    }
  }

  /** Runs alembic with {@code arguments}; every output line also goes to the progress stream as it comes. */
  Run alembic(List<String> arguments);

  /** "local process in DIR" or "Job in production with registry/lms:3.0.0", for the journal. */
  String describe();
}
