package lms.rollback.database;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import lms.rollback.audit.Event;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** alembic current / show / downgrade through a {@link MigrationProcess}, with their output read. */
public final class Alembic {

  /** The revision of an empty history. */
  public static final String BASE = "base";
  private static final Pattern REVISION_LINE = Pattern.compile("^([0-9A-Za-z_]+)((\\s+\\((head|effective head|branchpoint|mergepoint)\\))*)\\s*$");
  private static final Pattern PARENT = Pattern.compile("^Parent:\\s*(\\S+)\\s*$");
  private static final Pattern RELATIVE = Pattern.compile("^-(\\d+)$");
  private static final Pattern RUNNING_DOWNGRADE = Pattern.compile("Running downgrade (\\S+) -> (\\S*)");
  /** Longer histories than this are a mistake in the target, not a rollback. */
  private static final int MAX_STEPS = 1000;

  private final MigrationProcess process;
  private final lms.rollback.audit.Journal journal;

  public Alembic(MigrationProcess process, lms.rollback.audit.Journal journal) {
    this.process = process;
    this.journal = journal;
  }

  /** Every alembic command goes into the journal with how it ended, like the cluster commands. */
  private MigrationProcess.Run call(List<String> arguments) {
    String command = "alembic " + String.join(" ", arguments);
    MigrationProcess.Run run = process.alembic(arguments);
    journal.append(Event.DATABASE_COMMAND, java.util.Map.of("command", command, "arguments", process.describe(),
        "outcome", run.ok() ? "ok" : "exit " + run.exitCode() + ": " + lastError(run)));
    return run;
  }

  public MigrationProcess process() {
    return process;
  }

  /** The database's revision now, or {@link #BASE} when none is applied. */
  public String current() {
    MigrationProcess.Run run = call(List.of("current"));
    if (!run.ok()) {
      throw new LmsException(ExitCode.OTHER, "alembic current failed (exit " + run.exitCode() + "): " + lastError(run));
    }
    String revision = BASE;
    for (String line : run.output()) {
      var m = REVISION_LINE.matcher(line.strip());
      if (m.matches()) revision = m.group(1);
    }
    return revision;
  }

  /** The revision below {@code revision}, or {@link #BASE}. */
  public String parentOf(String revision) {
    MigrationProcess.Run run = call(List.of("show", revision));
    if (!run.ok()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "alembic knows no revision '" + revision + "': " + lastError(run));
    }
    for (String line : run.output()) {
      var m = PARENT.matcher(line.strip());
      if (m.matches()) return m.group(1).equals("<base>") ? BASE : m.group(1).split(",")[0].strip();
    }
    throw new LmsException(ExitCode.OTHER, "alembic show " + revision + " named no parent revision");
  }

  /**
   * The revisions a downgrade from {@code current} to {@code target} undoes, top first; {@code target}
   * is a revision, "base", or -N (N steps down).
   */
  public List<String> pathDown(String current, String target) {
    var relative = RELATIVE.matcher(target);
    int steps = relative.matches() ? Integer.parseInt(relative.group(1)) : MAX_STEPS;
    if (relative.matches() && steps < 1) throw new LmsException(ExitCode.INVALID_INPUT, "--target: -0 goes nowhere; allowed: -N (N ≥ 1), a revision, or base");
    List<String> path = new ArrayList<>();
    String at = current;
    while (path.size() < steps && !(!relative.matches() && at.equals(target))) {
      if (at.equals(BASE)) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--target: " + target + " is not below the current revision " + current
            + (relative.matches() ? " (the history has only " + path.size() + " revision(s) below it)" : "; allowed: a revision below it, -N, or base"));
      }
      path.add(at);
      at = parentOf(at);
    }
    return path;
  }

  public MigrationProcess.Run downgrade(String target) {
    return call(List.of("downgrade", target));
  }

  /** "0002 -> 0001": the migration alembic was running when it stopped. */
  public static String lastMigrationRun(MigrationProcess.Run run) {
    String last = null;
    for (String line : run.output()) {
      var m = RUNNING_DOWNGRADE.matcher(line);
      if (m.find()) last = m.group(1) + " -> " + (m.group(2).isEmpty() ? BASE : m.group(2).replaceAll(",$", ""));
    }
    return last;
  }

  /** The error line of a Python traceback, else the last line printed. */
  public static String lastError(MigrationProcess.Run run) {
    String last = "(no output)";
    for (String line : run.output()) {
      if (line.isBlank()) continue;
      if (line.matches("^[A-Za-z_.]*(Error|Exception)\\b.*") || line.startsWith("FAILED") || line.startsWith("ERROR")) {
        last = line.strip();
      }
    }
    if (last.equals("(no output)") && !run.output().isEmpty()) last = run.output().get(run.output().size() - 1).strip();
    return last.length() > 400 ? last.substring(0, 400) + "…" : last;
  }
}
