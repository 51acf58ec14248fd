// The machine part of Scenario B (switch, read-back, scale Green down, no Green pod left), done
// by lmsctl's engine in one process against the runbook's kubectl sequence (patch, get, scale,
// get pods), on the same sandbox API server, several rounds. Prints both medians and the ratio.
//
//   java -cp target/lmsctl.jar bench/ScenarioBMachineBench.java [rounds] [kubectl]
//
// Both sides start each round from the same state (VirtualService 0/100, Green at 3 ready pods).
// lmsctl also takes the environment lease, preserves Green's logs, verifies the read-back and
// waits until the last Green pod is gone; kubectl does none of that.

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.ClusterConnection;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.cluster.GreenShutdown;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.plan.StepAction;
import lms.rollback.sandbox.SandboxCluster;

public class ScenarioBMachineBench {

  static final String ENV = "production";
  static final String PATCH = "{\"spec\":{\"http\":[{\"route\":[{\"destination\":{\"host\":\"lms-blue\"},\"weight\":100}]}]}}";

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String kubectl = args.length > 1 ? args[1] : System.getenv().getOrDefault("KUBECTL", "kubectl");
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    Plan plan = new PlanLoader().loadDefault();
    Environment env = plan.environment(ENV);
    Duration budget = plan.scenario("B").budgetOf(StepAction.STOP_GREEN).limit();
    Path work = Files.createTempDirectory("lms-bench");
    List<Long> engine = new ArrayList<>();
    List<Long> raw = new ArrayList<>();
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ZERO).seed(env)) {
      Path kubeconfig = sandbox.server().writeKubeconfig(work.resolve("kubeconfig.yaml"));
      // one warm-up round each, not counted: the JIT and kubectl's discovery cache
      runEngine(kubeconfig, env, budget, work.resolve("warmup"));
      sandbox.seed(env);
      runKubectl(kubectl, kubeconfig, env);
      for (int i = 0; i < rounds; i++) {
        sandbox.seed(env);
        engine.add(runEngine(kubeconfig, env, budget, work.resolve("round-" + i)));
        sandbox.seed(env);
        raw.add(runKubectl(kubectl, kubeconfig, env));
      }
    }
    double e = median(engine) / 1e6;
    double k = median(raw) / 1e6;
    System.out.printf("rounds: %d%n", rounds);
    System.out.printf("lmsctl engine, one process (lease, switch, read-back + verify, preserve logs, scale, wait for no pods): median %.0f ms%n", e);
    System.out.printf("kubectl runbook sequence (patch, get -o yaml, scale, get pods): median %.0f ms%n", k);
    System.out.printf("ratio lmsctl / kubectl = %.2f (goal <= 1.00)%n", e / k);
  }

  static long runEngine(Path kubeconfig, Environment env, Duration budget, Path out) {
    long start = System.nanoTime();
    try (KubernetesClient client = new ClusterConnection(kubeconfig, null).open()) {
      Journal journal = new Journal(out, "bench");
      ClusterSession cluster = new ClusterSession(client, ApiRetry.defaults(Progress.SILENT), journal, Progress.SILENT);
      try (EnvironmentLease lease = EnvironmentLease.acquire(client, env.namespace(), ENV, "bench", EnvironmentLease.DEFAULT_DURATION,
          Duration.ofSeconds(10), Progress.SILENT)) {
        new TrafficSwitch(cluster).execute(new TrafficSwitch.Request(ENV, env, null));
        new GreenShutdown(cluster).execute(new GreenShutdown.Request(ENV, env, out, budget));
      }
    }
    return System.nanoTime() - start;
  }

  static long runKubectl(String kubectl, Path kubeconfig, Environment env) throws Exception {
    long start = System.nanoTime();
    run(kubeconfig, kubectl, "patch", "virtualservice", env.virtualService(), "-n", env.namespace(), "--type", "merge", "-p", PATCH);
    run(kubeconfig, kubectl, "get", "virtualservice", env.virtualService(), "-n", env.namespace(), "-o", "yaml");
    run(kubeconfig, kubectl, "scale", "deployment", env.green().deployment(), "--replicas=0", "-n", env.namespace());
    run(kubeconfig, kubectl, "get", "pods", "-l", "app=" + env.green().podLabels().get("app"), "-n", env.namespace());
    return System.nanoTime() - start;
  }

  static void run(Path kubeconfig, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
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
