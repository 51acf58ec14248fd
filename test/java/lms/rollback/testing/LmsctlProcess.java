package lms.rollback.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * lmsctl as its own JVM, as a user starts it: with its own environment variables (the database
 * URL), and killable with SIGKILL for the crash tests.
 */
public final class LmsctlProcess {

  public static final String HOLD_AFTER = "LMS_TEST_HOLD_AFTER";
  private static final long TIMEOUT_SECONDS = 180;

  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private LmsctlProcess(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static LmsctlProcess start(Map<String, String> environment, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "lms.rollback.cli.Lmsctl"));
    cmd.addAll(args);
    Path out = Files.createTempFile("lmsctl-out", ".txt");
    Path err = Files.createTempFile("lmsctl-err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(environment);
    return new LmsctlProcess(pb.start(), out, err);
  }

  public static Cli.Run run(Map<String, String> environment, String... args) throws Exception {
    return start(environment, List.of(args)).await();
  }

  public Cli.Run await() throws Exception {
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("lmsctl did not end within " + TIMEOUT_SECONDS + "s: " + Files.readString(stderr));
    }
    return new Cli.Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
  }

  /** Waits until the process holds, alive, at the point LMS_TEST_HOLD_AFTER named; returns its stderr so far. */
  public String awaitHeld() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      if (err.contains("holding after journal entry")) return err;
      if (!process.isAlive()) {
        throw new IllegalStateException("lmsctl ended (exit " + process.exitValue() + ") before reaching its hold point: " + err
            + Files.readString(stdout));
      }
      Thread.sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("lmsctl never reached its hold point: " + Files.readString(stderr));
  }

  /** Waits until the process holds at the point LMS_TEST_HOLD_AFTER named, then kills it with SIGKILL. */
  public String killWhenHeld() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      if (err.contains("holding after journal entry")) {
        process.destroyForcibly();  // SIGKILL on Linux: no shutdown hook, no finally
        process.waitFor(30, TimeUnit.SECONDS);
        return err;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("lmsctl ended (exit " + process.exitValue() + ") before reaching its hold point: " + err
            + Files.readString(stdout));
      }
      Thread.sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("lmsctl never reached its hold point: " + Files.readString(stderr));
  }

  /**
   * A launcher script in {@code dir} that runs this build's lmsctl, as {@code ./lmsctl} does: the program the commands
   * lmsctl prints name (LMSCTL_COMMAND), so a test can run them as a person pastes them.
   */
  public static Path launcher(Path dir) throws IOException {
    Path script = dir.resolve("lmsctl");
    Files.writeString(script, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -XX:TieredStopAtLevel=1 -cp '"
        + System.getProperty("java.class.path") + "' lms.rollback.cli.Lmsctl \"$@\"\n");
    script.toFile().setExecutable(true);
    return script;
  }

  public String stdoutText() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  public String stderrText() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  public Process process() {
    return process;
  }
}
