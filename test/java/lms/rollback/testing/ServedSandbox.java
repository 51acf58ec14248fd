package lms.rollback.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** `lmsctl sandbox --serve` in its own JVM, as a person starts it: its kubeconfig and plan for the verbs a test runs. */
public final class ServedSandbox implements AutoCloseable {

  private final LmsctlProcess process;
  private final Path dir;

  private ServedSandbox(LmsctlProcess process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** Started with {@code environment}, serving from {@code dir}; returns once it says it serves. */
  public static ServedSandbox start(Path dir, Map<String, String> environment) throws Exception {
    Files.createDirectories(dir);
    ServedSandbox served = new ServedSandbox(LmsctlProcess.start(environment, List.of("sandbox", "--serve", "--out-dir", dir.toString())), dir);
    try {
      served.awaitServing();
      return served;
    } catch (Exception | AssertionError e) {
      served.close();
      throw e;
    }
  }

  /** What it printed when it started serving: the try lines. */
  public String printed() throws java.io.IOException {
    return process.stdoutText();
  }

  public Path kubeconfig() {
    return dir.resolve("sandbox-kubeconfig.yaml");
  }

  /** The plan pointing its environment at the sandbox's stand-ins. */
  public Path plan() {
    return dir.resolve("sandbox-plan.yaml");
  }

  private void awaitServing() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (process.stdoutText().contains("Press Ctrl-C to stop.")) return;
      if (!process.process().isAlive()) throw new AssertionError("sandbox --serve ended: " + process.stdoutText() + process.stderrText());
      Thread.sleep(200);
    }
    throw new AssertionError("sandbox --serve never served: " + process.stderrText());
  }

  @Override
  public void close() throws InterruptedException {
    process.process().destroy();
    process.process().waitFor(30, TimeUnit.SECONDS);
  }
}
