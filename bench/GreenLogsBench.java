// How `lmsctl stop-green` grows with Green (#15): 50 Green pods, each with the same log, against 1 pod, on the
// same sandbox API server; and the process's peak memory with a small and with a large log, which must not follow
// the log's size (logs are streamed to files, never held whole).
//
//   java -cp target/lmsctl.jar bench/GreenLogsBench.java [rounds] [log-MiB] [lmsctl]
//
// Each round seeds Green afresh, switches the VirtualService to Blue (not timed), then times one cold
// `lmsctl stop-green` process: preserve every log, scale to 0, wait until no Green pod is left. Peak memory is the
// process's VmHWM from /proc, sampled while it runs.

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.Environment;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;

public class GreenLogsBench {

  static final String ENV = "production";
  static final int MANY = 50;
  static final String CAPPED = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx48m";

  record Run(long nanos, long peakKb) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int logMib = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    String lmsctl = args.length > 2 ? args[2] : "./lmsctl";
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    Environment env = new PlanLoader().loadDefault().environment(ENV);
    Path work = Files.createTempDirectory("lms-green-logs-bench");
    List<Long> one = new ArrayList<>();
    List<Long> many = new ArrayList<>();
    long smallPeak;
    long largePeak;
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ofMillis(200))) {
      Path kubeconfig = sandbox.server().writeKubeconfig(work.resolve("kubeconfig.yaml"));
      long[] logBytes = {logMib * 1024L * 1024L};
      sandbox.server().setLogSource((ns, pod, container, out) -> writeLog(out, logBytes[0]));
      run(sandbox, env, kubeconfig, lmsctl, 1, work.resolve("warmup")); // disk cache, not counted
      for (int i = 0; i < rounds; i++) {
        one.add(run(sandbox, env, kubeconfig, lmsctl, 1, work.resolve("one-" + i)).nanos());
        many.add(run(sandbox, env, kubeconfig, lmsctl, MANY, work.resolve("many-" + i)).nanos());
      }
      // the heap is capped below the large log: a process that held a log whole could not finish; without a cap
      // the JVM grows into garbage it has no reason yet to collect, which says nothing about what it keeps
      smallPeak = run(sandbox, env, kubeconfig, lmsctl, 1, work.resolve("small"), CAPPED).peakKb();
      logBytes[0] = 64L * 1024 * 1024;
      largePeak = run(sandbox, env, kubeconfig, lmsctl, 1, work.resolve("large"), CAPPED).peakKb();
    }
    double o = median(one) / 1e6;
    double m = median(many) / 1e6;
    System.out.printf("rounds: %d, log per pod: %d MiB%n", rounds, logMib);
    System.out.printf("lmsctl stop-green, 1 Green pod: median %.0f ms%n", o);
    System.out.printf("lmsctl stop-green, %d Green pods (%d MiB of logs): median %.0f ms%n", MANY, MANY * logMib, m);
    System.out.printf("ratio %d pods / 1 pod = %.2f (goal <= 2.0)%n", MANY, m / o);
    System.out.printf("peak memory of the process (heap capped at 48 MiB): %d MiB with a %d MiB log, %d MiB with a 64 MiB log: ratio %.2f (goal: independent of the log, ~1.0)%n",
        smallPeak / 1024, logMib, largePeak / 1024, (double) largePeak / smallPeak);
  }

  static Run run(SandboxCluster sandbox, Environment env, Path kubeconfig, String lmsctl, int pods, Path out) throws Exception {
    return run(sandbox, env, kubeconfig, lmsctl, pods, out, null);
  }

  static Run run(SandboxCluster sandbox, Environment env, Path kubeconfig, String lmsctl, int pods, Path out, String javaOpts)
      throws Exception {
    // Blue as large as what it replaces, and at least the plan's minimum: the switch refuses a smaller one
    sandbox.seed(env, Map.of(), Math.max(pods, env.minBlueReadyReplicas() == null ? 1 : env.minBlueReadyReplicas()), pods);
    Files.createDirectories(out);
    exec(lmsctl, "switch", "--kubeconfig", kubeconfig.toString(), "--env", ENV, "--out-dir", out.toString(), "--actor", "bench");
    long start = System.nanoTime();
    Path output = out.resolve("stop-green.out");
    ProcessBuilder pb = new ProcessBuilder(lmsctl, "stop-green", "--kubeconfig", kubeconfig.toString(), "--env", ENV, "--out-dir",
        out.toString(), "--actor", "bench", "--lease-holder", "bench").redirectErrorStream(true).redirectOutput(output.toFile());
    if (javaOpts != null) pb.environment().put("LMSCTL_JAVA_OPTS", javaOpts);
    Process p = pb.start();
    long peak = 0;
    while (p.isAlive()) {
      peak = Math.max(peak, peakKb(p));
      Thread.sleep(20);
    }
    long nanos = System.nanoTime() - start;
    if (p.exitValue() != 0) throw new IllegalStateException("stop-green with " + pods + " pod(s) failed: " + Files.readString(output));
    try (var files = Files.list(out.resolve("green-logs"))) {
      long kept = files.count();
      if (kept != pods) throw new IllegalStateException(kept + " log files for " + pods + " pods");
    }
    return new Run(nanos, peak);
  }

  /** The peak resident set of the process and its children (the launcher execs java, so it is one process). */
  static long peakKb(Process p) {
    long peak = 0;
    for (ProcessHandle h : List.of(p.toHandle())) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(h.pid()), "status"))) {
          if (line.startsWith("VmHWM:")) peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      } catch (IOException | NumberFormatException e) {
        // exited between the check and the read
      }
    }
    return peak;
  }

  static void writeLog(OutputStream out, long bytes) throws IOException {
    byte[] line = ("2026-12-01T02:00:00Z INFO  POST /api/v1/leave/requests 201 19ms " + "-".repeat(60) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.length; i++) chunk[i] = line[i % line.length];
    for (long left = bytes; left > 0; left -= chunk.length) out.write(chunk, 0, (int) Math.min(chunk.length, left));
  }

  static Process start(String... command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  static void exec(String... command) throws Exception {
    Process p = start(command);
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
