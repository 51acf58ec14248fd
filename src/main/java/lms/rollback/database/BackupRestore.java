package lms.rollback.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ChildProcess;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;

/**
 * §5.4 step 3: the database restored from a backup with pg_restore (the plan's restoreCommand).
 * The password goes to pg_restore in PGPASSWORD, never on its command line, where ps would show it.
 */
public final class BackupRestore {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(15);

  private final List<String> command;
  private final Duration timeout;
  private final Journal journal;
  private final Progress progress;

  public BackupRestore(List<String> command, Duration timeout, Journal journal, Progress progress) {
    this.command = List.copyOf(command);
    this.timeout = timeout;
    this.journal = journal;
    this.progress = progress;
  }

  public record Result(Path dump, long bytes, String sha256, Duration took) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dump", dump.toString());
      m.put("bytes", bytes);
      m.put("sha256", sha256);
      m.put("millis", took.toMillis());
      return m;
    }
  }

  public Result restore(Path dump, DatabaseUrl url) {
    if (!Files.isRegularFile(dump) || !Files.isReadable(dump)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--dump: " + dump + " is not a readable file; give the pg_dump archive (-Fc) to restore");
    }
    long bytes;
    String sha;
    try {
      bytes = Files.size(dump);
      sha = sha256(dump);
    } catch (IOException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--dump: cannot read " + dump + ": " + e.getMessage());
    }
    List<String> argv = new ArrayList<>(command);
    argv.add("--dbname=" + url.withoutPassword());
    argv.add(dump.toString());
    journal.append(Event.DATABASE_RESTORE_START, Map.of("dump", dump.toString(), "bytes", bytes, "sha256", sha, "database", url.toString(),
        "command", String.join(" ", command)));
    long start = System.nanoTime();
    ChildProcess pgRestore = new ChildProcess("pg_restore", argv, progress)
        .environment(url.password().map(p -> Map.of("PGPASSWORD", p)).orElse(Map.of()))
        .whileRunning(PROGRESS_EVERY, took -> progress.say(String.format("  restoring %s (%ds)", dump.getFileName(), took.toSeconds())));
    ChildProcess.Ended ended;
    try {
      ended = pgRestore.run(timeout);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot start " + command.get(0) + ": " + e.getMessage() + "; install the PostgreSQL client (Debian: postgresql-client)");
    } catch (TimeoutException e) {
      throw new LmsException(ExitCode.OTHER, "pg_restore did not finish within " + timeout.toMinutes() + "m; it was killed. The database is in an unknown state");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LmsException(ExitCode.OTHER, "interrupted while pg_restore ran");
    }
    int exit = ended.exitCode();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (exit != 0) {
      String tail = ended.tail(10);
      journal.append(Event.DATABASE_RESTORE_FAILED, Map.of("dump", dump.toString(), "exitCode", exit, "output", tail));
      throw new LmsException(ExitCode.OTHER, "pg_restore of " + dump + " failed (exit " + exit + "): "
          + (tail.isEmpty() ? "no output" : tail.lines().reduce((a, b) -> b).orElse("")) + ". Maintenance mode stays on");
    }
    Result r = new Result(dump, bytes, sha, took);
    journal.append(Event.DATABASE_RESTORED, r.asData());
    return r;
  }

  private static String sha256(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
