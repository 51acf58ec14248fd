package lms.rollback.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A program run as a child process: its arguments a list (nothing goes through a shell), its output (stdout and stderr
 * together) shown to the person line by line as it comes and kept, its time bounded. What a failure means is the
 * caller's to say: starting, running out of time and being interrupted are told apart by exception.
 */
public final class ChildProcess {

  /** How long the output is still read after the process ended (a grandchild may hold the pipe). */
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(5);

  /** How the process ended: its exit code and every line it printed. */
  public record Ended(int exitCode, List<String> lines) {
    /** The last {@code n} lines, one per line. */
    public String tail(int n) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  private final String name;
  private final ProcessBuilder builder;
  private final Progress progress;
  private Duration tickEvery;
  private Consumer<Duration> tick;

  /** {@code name} prefixes each line shown ({@code "    NAME: line"}) and names the thread that reads them. */
  public ChildProcess(String name, List<String> argv, Progress progress) {
    this.name = name;
    this.builder = new ProcessBuilder(List.copyOf(argv)).redirectErrorStream(true);
    this.progress = progress;
  }

  public ChildProcess in(Path directory) {
    builder.directory(directory.toFile());
    return this;
  }

  /** Variables added to the child's environment: how a secret reaches it, never its command line, where ps shows it. */
  public ChildProcess environment(Map<String, String> variables) {
    builder.environment().putAll(variables);
    return this;
  }

  /** While it runs, {@code tick} is told the time taken so far every {@code every}: for a long silent process. */
  public ChildProcess whileRunning(Duration every, Consumer<Duration> tick) {
    this.tickEvery = every;
    this.tick = tick;
    return this;
  }

  /**
   * Runs it to its end.
   *
   * @throws IOException it could not be started
   * @throws TimeoutException it did not end within {@code timeout}; it was killed
   * @throws InterruptedException this thread was interrupted; it was killed
   */
  public Ended run(Duration timeout) throws IOException, TimeoutException, InterruptedException {
    Process p = builder.start();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(line);
          }
          progress.say("    " + name + ": " + line);
        }
      } catch (IOException e) {
        // the process ended; what was read is kept
      }
    }, name + "-output");
    reader.setDaemon(true);
    reader.start();
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        long slice = tick == null ? left : Math.min(left, tickEvery.toNanos());
        if (p.waitFor(Math.max(0, slice), TimeUnit.NANOSECONDS)) break;
        if (System.nanoTime() >= deadline) {
          p.destroyForcibly();
          throw new TimeoutException(name + " did not finish within " + timeout);
        }
        if (tick != null) tick.accept(Duration.ofNanos(System.nanoTime() - start));
      }
      reader.join(OUTPUT_GRACE.toMillis());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      throw e;
    }
    synchronized (lines) {
      return new Ended(p.exitValue(), List.copyOf(lines));
    }
  }
}
