// How long a person or a Jenkins stage waits for a cold lmsctl (#15): `lmsctl plan -o json` and `lmsctl status`
// against the sandbox API server, each a new process through the ./lmsctl launcher (class-data archive on), beside
// `kubectl get virtualservice` against the same server; and the same two lmsctl calls without the archive.
//
//   java -cp target/lmsctl.jar bench/ColdStartBench.java [rounds] [kubectl]

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;

public class ColdStartBench {

  static final String ENV = "production";
  static final String NO_ARCHIVE_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String kubectl = args.length > 1 ? args[1] : System.getenv().getOrDefault("KUBECTL", "kubectl");
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    Path jar = Path.of("target/lmsctl.jar").toAbsolutePath();
    if (!Files.exists(Path.of("target/lmsctl.jsa"))) throw new IllegalStateException("no target/lmsctl.jsa: run mvn package first");
    Path work = Files.createTempDirectory("lms-cold-start");
    List<Long> plan = new ArrayList<>(), status = new ArrayList<>(), kube = new ArrayList<>();
    List<Long> planBare = new ArrayList<>(), statusBare = new ArrayList<>();
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ZERO).seed(new PlanLoader().loadDefault().environment(ENV))) {
      String kubeconfig = sandbox.server().writeKubeconfig(work.resolve("kubeconfig.yaml")).toString();
      String[] planCall = {"plan", "-o", "json"};
      String[] statusCall = {"status", "--kubeconfig", kubeconfig, "--env", ENV, "--out-dir", work.resolve("out").toString()};
      String[] kubectlCall = {kubectl, "--kubeconfig", kubeconfig, "get", "virtualservice", "-n", ENV};
      // one of each first, not counted: disk cache, kubectl's discovery cache
      time(launcher(planCall));
      time(launcher(statusCall));
      time(kubectlCall);
      for (int i = 0; i < rounds; i++) {
        plan.add(time(launcher(planCall)));
        status.add(time(launcher(statusCall)));
        kube.add(time(kubectlCall));
        planBare.add(time(bare(jar, planCall)));
        statusBare.add(time(bare(jar, statusCall)));
      }
    }
    double k = median(kube) / 1e6;
    System.out.printf("rounds: %d (medians; every call a new process)%n", rounds);
    System.out.printf("kubectl get virtualservice: %.0f ms%n", k);
    System.out.printf("lmsctl plan -o json: %.0f ms (without the class-data archive %.0f ms)%n", median(plan) / 1e6, median(planBare) / 1e6);
    System.out.printf("lmsctl status: %.0f ms (without the class-data archive %.0f ms)%n", median(status) / 1e6, median(statusBare) / 1e6);
    System.out.printf("ratio lmsctl plan -o json / kubectl = %.2f (aim <= 3)%n", median(plan) / 1e6 / k);
    System.out.printf("ratio lmsctl status / kubectl = %.2f (aim <= 3)%n", median(status) / 1e6 / k);
    System.out.printf("class-data archive: status %.2fx, plan %.2fx as fast as without%n", median(statusBare) / median(status),
        median(planBare) / median(plan));
  }

  static String[] launcher(String... args) {
    List<String> command = new ArrayList<>(List.of("./lmsctl"));
    command.addAll(List.of(args));
    return command.toArray(String[]::new);
  }

  static String[] bare(Path jar, String... args) {
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(List.of(NO_ARCHIVE_OPTS.split(" ")));
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return command.toArray(String[]::new);
  }

  static long time(String... command) throws Exception {
    long start = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("LMSCTL_JAVA_OPTS");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
    return System.nanoTime() - start;
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
