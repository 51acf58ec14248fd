package lms.rollback.database;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
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
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    url.password().ifPresent(p -> pb.environment().put("PGPASSWORD", p));
    List<String> output = new ArrayList<>();
    int exit;
    try {
      Process p = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (output) {
              output.add(line);
            }
            progress.say("    pg_restore: " + line);
          }
        } catch (IOException e) {
          // the process ended
        }
      }, "pg_restore-output");
      reader.setDaemon(true);
      reader.start();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!p.waitFor(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new LmsException(ExitCode.OTHER, "pg_restore did not finish within " + timeout.toMinutes() + "m; it was killed. The database is in an unknown state");
        }
        progress.say(String.format("  restoring %s (%ds)", dump.getFileName(), Duration.ofNanos(System.nanoTime() - start).toSeconds()));
      }
      reader.join(5000);
      exit = p.exitValue();
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot start " + command.get(0) + ": " + e.getMessage() + "; install the PostgreSQL client (Debian: postgresql-client)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LmsException(ExitCode.OTHER, "interrupted while pg_restore ran");
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (exit != 0) {
      String tail;
      synchronized (output) {
        tail = String.join("\n", output.subList(Math.max(0, output.size() - 10), output.size()));
      }
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
