// Scenario B driven the way the Jenkins job drives it — lmsRollback's stages, each lmsctl call running the
// library's own shell script (resources/lms/rollback/jenkins/lmsctl-run.sh) under /bin/sh -xe: the Preflight
// stage's `lmsctl rollback --through decision`, then ONE `lmsctl rollback` that carries the run to its end while
// the steps' stages follow it, each waiting for the engine's file of its step (OUT/steps/ACTION.json) the way
// Jenkins' waitUntil polls (the condition at once, then after 250 ms, 1.2 times longer each time, at most 15 s:
// workflow-basic-steps' WaitForConditionStep) — against one `lmsctl rollback` process doing the same run, on the
// same sandbox API server, LMS and metrics stand-ins. Prints the lmsctl processes per stage, the ratio of machine
// times and the ratio of wall times (goal <= 1.5).
//
//   java -cp target/lmsctl.jar bench/JenkinsWayBench.java [rounds]
//
// Machine time is the engine's own time in the run's steps (step.end in the journal); the wall time of all
// processes, JVM starts included, until the last stage has seen its step, is printed beside it.
//
// Then, for a gated trigger (MAN-001), the seconds from the Release Commander's click to the VirtualService patched:
// the gate's `lmsctl gate record` (what lmsRollbackGate runs on the approval), then the calls up to the switch.
// "before #22" is the job's call sequence until #22 (a `--through decision` call, then one call per stage),
// "stage by stage" the sequence of the last release (the first step's call carried the run on from its decision),
// "one process after the decision" is #22's: `gate record`, then the one engine process (goal: <= 3 s); "waiting engine"
// is lmsRollback's since #35: the engine's one process is already waiting at its gate (--decisions-from) when the person
// clicks, and the build hands it the answer as a file with the build's mac — no process starts after the click (goal <= 2 s
// from the click, on a real controller).

import lms.rollback.sandbox.SandboxPlan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;

public class JenkinsWayBench {

  static final String ENV = "production";
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> STEPS = List.of("announce", "switch-traffic", "verify-blue", "stop-green", "confirm");
  /** lmsRollback's stages for an automatic trigger: Preflight, Decision (no prompt), one per step, Report. */
  static final int STAGES = 2 + STEPS.size() + 1;

  record Round(long wallNanos, long machineMillis, int processes) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    Plan plan = new PlanLoader().loadDefault();
    Environment env = plan.environment(ENV);
    Path work = Files.createTempDirectory("lms-bench-jenkins");
    Path script = Path.of("resources/lms/rollback/jenkins/lmsctl-run.sh");
    List<Round> jenkins = new ArrayList<>();
    List<Round> single = new ArrayList<>();
    List<Long> clickBefore = new ArrayList<>();
    List<Long> clickStaged = new ArrayList<>();
    List<Long> clickNow = new ArrayList<>();
    List<Long> clickWaiting = new ArrayList<>();
    int[] afterClick = new int[3];
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ZERO).seed(env)) {
      Path kubeconfig = sandbox.server().writeKubeconfig(work.resolve("kubeconfig.yaml"));
      var lms = sandbox.startLms(env);
      // Blue is judged as the stand-in scrapes (every second), not as production's Prometheus does
      Path planFile = SandboxPlan.write(work.resolve("sandbox-plan.yaml"), ENV, lms.url(), sandbox.metrics().url());
      List<String> common = List.of("rollback", "--scenario", "B", "--env", ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
          "--base-url", lms.url(), "--prometheus", sandbox.metrics().url(), "--window", "4s", "--requested-by", "bench", "--reason",
          "bench: error rate spike", "-o", "json", "--lease-holder", "bench", "--plan", planFile.toString());
      for (int i = -1; i < rounds; i++) {  // round -1 warms the page cache and the sandbox, not counted
        sandbox.seed(env);
        Round s = single(common, work.resolve("single-" + i));
        sandbox.seed(env);
        Round j = jenkinsWay(script, common, work.resolve("jenkins-" + i));
        if (i >= 0) {
          single.add(s);
          jenkins.add(j);
        }
      }
      List<String> gated = new ArrayList<>(common);
      gated.set(gated.indexOf("AUTO-001"), "MAN-001");
      List<String> approve = List.of("gate", "record", "--trigger", "MAN-001", "--decision", "approve", "--by", "rc.jones", "--groups",
          "lms-release-commanders", "--requested-by", "bench", "--reason", "bench: confirmed on the dashboard", "--plan", planFile.toString());
      List<String> toTheEnd = new ArrayList<>();
      toTheEnd.add(null);
      for (int i = -1; i < rounds; i++) {
        sandbox.seed(env);
        long b = clickToSwitch(script, gated, approve, List.of("decision", "announce", "switch-traffic"), work.resolve("click-before-" + i), afterClick, 0);
        sandbox.seed(env);
        long st = clickToSwitch(script, gated, approve, List.of("announce", "switch-traffic"), work.resolve("click-staged-" + i), afterClick, 1);
        sandbox.seed(env);
        long n = clickToSwitch(script, gated, approve, toTheEnd, work.resolve("click-now-" + i), afterClick, 2);
        sandbox.seed(env);
        long w = clickToWaitingEngine(script, gated, work.resolve("click-waiting-" + i));
        if (i >= 0) {
          clickBefore.add(b);
          clickStaged.add(st);
          clickNow.add(n);
          clickWaiting.add(w);
        }
      }
    }
    double sm = median(single.stream().map(Round::machineMillis).toList());
    double jm = median(jenkins.stream().map(Round::machineMillis).toList());
    double sw = median(single.stream().map(Round::wallNanos).toList()) / 1e6;
    double jw = median(jenkins.stream().map(Round::wallNanos).toList()) / 1e6;
    int processes = jenkins.get(0).processes();
    System.out.printf("rounds: %d; scenario B, AUTO-001, Blue observed for 4s%n", rounds);
    System.out.printf("one lmsctl rollback: 1 process, machine time in steps median %.0f ms, wall %.0f ms%n", sm, sw);
    System.out.printf("the Jenkins way (%d stages): %d lmsctl processes, machine time in steps median %.0f ms, wall %.0f ms%n", STAGES, processes, jm, jw);
    System.out.printf("lmsctl processes per stage = %.2f (goal <= 1.00)%n", processes / (double) STAGES);
    System.out.printf("ratio of machine times, Jenkins way / one run = %.2f (goal <= 1.30)%n", jm / sm);
    System.out.printf("ratio of wall times (JVM starts included), Jenkins way / one run = %.2f (goal <= 1.50)%n", jw / sw);
    double cb = median(clickBefore) / 1000;
    double cs = median(clickStaged) / 1000;
    double cn = median(clickNow) / 1000;
    double cw = median(clickWaiting) / 1000;
    System.out.printf("MAN-001, approval -> VirtualService patched: before #22 %d lmsctl processes, median %.2f s; stage by stage %d, median %.2f s; one process after the decision %d, median %.2f s; waiting engine 0, median %.2f s (goal <= 2.00); waiting / one process after = %.2f%n",
        afterClick[0], cb, afterClick[1], cs, afterClick[2], cn, cw, cw / cn);
  }

  /**
   * The run to its gate (before the click, not timed), then the click and the calls up to the switch: milliseconds click -> patched.
   * A null in {@code throughs} is the engine's one process to the end (timed to the switch, as the journal says when it patched).
   */
  static long clickToSwitch(Path script, List<String> rollback, List<String> approve, List<String> throughs, Path out, int[] processes, int slot)
      throws Exception {
    int rc = sh(script, concat(rollback, List.of("--out-dir", out.toString(), "--through", "decision")), out);
    if (rc != 5) throw new IllegalStateException("the run should wait at its gate (exit 5), exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    Instant click = Instant.now();
    processes[slot] = 0;
    rc = sh(script, concat(approve, List.of("--out-dir", out.toString())), out);
    processes[slot]++;
    if (rc != 0) throw new IllegalStateException("gate record exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    for (String through : throughs) {
      List<String> to = through == null ? List.of("--out-dir", out.toString()) : List.of("--out-dir", out.toString(), "--through", through);
      rc = sh(script, concat(rollback, to), out);
      processes[slot]++;
      if (rc != 0) throw new IllegalStateException("--through " + through + " exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    }
    return Duration.between(click, patchedAt(out)).toMillis();
  }

  /**
   * lmsRollback since #35: the run to its gate, then the engine's one process started with --decisions-from (before the
   * click, not timed) and, once it waits (its gate.json), the click: the build's answer written as a file with its mac.
   * Milliseconds click -> patched, from the journal.
   */
  static long clickToWaitingEngine(Path script, List<String> rollback, Path out) throws Exception {
    int rc = sh(script, concat(rollback, List.of("--out-dir", out.toString(), "--through", "decision")), out);
    if (rc != 5) throw new IllegalStateException("the run should wait at its gate (exit 5), exited " + rc);
    String key = "0123456789abcdef".repeat(4);
    Path inbox = out.resolve("decisions");
    CompletableFuture<Integer> engine = CompletableFuture.supplyAsync(() -> {
      try {
        return sh(script, concat(rollback, List.of("--out-dir", out.toString(), "--decisions-from", inbox.toString())), out,
            Map.of(lms.rollback.gate.DecisionInbox.KEY_VARIABLE, key));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(inbox.resolve(lms.rollback.gate.DecisionInbox.STATE_FILE))) {
      if (System.nanoTime() > until || engine.isDone()) throw new IllegalStateException("the engine never waited at its gate: " + out);
      Thread.sleep(20);
    }
    com.fasterxml.jackson.databind.node.ObjectNode d = JSON.createObjectNode();
    d.put("n", "0001").put("trigger", "MAN-001").put("decision", "approve").put("by", "rc.jones");
    d.putArray("groups").add("lms-release-commanders");
    d.put("reason", "bench: confirmed on the dashboard").put("level", "0").put("database", "false").put("requestedBy", "bench");
    d.put("mac", java.util.HexFormat.of().formatHex(lms.rollback.gate.DecisionInbox.mac(java.util.HexFormat.of().parseHex(key),
        lms.rollback.gate.DecisionInbox.canonical(d))));
    Instant click = Instant.now();
    Files.writeString(inbox.resolve("0001.json"), JSON.writeValueAsString(d));
    rc = engine.get();
    if (rc != 0) throw new IllegalStateException("the waiting engine exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    return Duration.between(click, patchedAt(out)).toMillis();
  }

  /** When the run patched the VirtualService, as its journal says. */
  static Instant patchedAt(Path out) throws Exception {
    Instant patched = null;
    for (String line : Files.readAllLines(out.resolve("journal.jsonl"))) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("switch.after")) patched = Instant.parse(e.path("ts").asText());
    }
    if (patched == null) throw new IllegalStateException("no switch.after in " + out);
    return patched;
  }

  static Round single(List<String> common, Path out) throws Exception {
    long start = System.nanoTime();
    int rc = lmsctl(concat(common, List.of("--out-dir", out.toString())));
    long wall = System.nanoTime() - start;
    if (rc != 0) throw new IllegalStateException("lmsctl rollback exited " + rc + "; see " + out);
    return new Round(wall, machineMillis(out), 1);
  }

  static Round jenkinsWay(Path script, List<String> common, Path out) throws Exception {
    long start = System.nanoTime();
    // Preflight: the engine checks the run and passes its gate (AUTO-001: nobody to ask)
    int rc = sh(script, concat(common, List.of("--out-dir", out.toString(), "--through", "decision")), out);
    if (rc != 0) throw new IllegalStateException("Preflight exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    // the engine's branch: one process from the decision to the end; the stages' branch follows it
    CompletableFuture<Integer> engine = CompletableFuture.supplyAsync(() -> {
      try {
        return sh(script, concat(common, List.of("--out-dir", out.toString())), out);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (String step : STEPS) follow(out.resolve("steps").resolve(step + ".json"), engine);
    rc = engine.get();
    if (rc != 0) throw new IllegalStateException("the engine exited " + rc + ": " + Files.readString(out.resolve(".lmsctl-rollback.err")));
    return new Round(System.nanoTime() - start, machineMillis(out), 2);
  }

  /** A stage's waitUntil: the file of its step, or the engine's end; polled at once, then at 250 ms growing 1.2 times, at most 15 s. */
  static void follow(Path stepFile, CompletableFuture<Integer> engine) throws Exception {
    long period = 250;
    while (!Files.exists(stepFile)) {
      if (engine.isDone()) throw new IllegalStateException("the engine ended without " + stepFile.getFileName() + " (exit " + engine.get() + ")");
      Thread.sleep(period);
      period = Math.min((long) (period * 1.2), 15_000);
    }
  }

  /** What lmsctlRun does: the library's script under /bin/sh -xe, the arguments in LMS_ARG_n. */
  static int sh(Path script, List<String> args, Path out) throws Exception {
    return sh(script, args, out, Map.of());
  }

  static int sh(Path script, List<String> args, Path out, Map<String, String> more) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-xe", script.toAbsolutePath().toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = pb.environment();
    String tag = out.resolve(".lmsctl-rollback").toString();
    env.putAll(Map.of("LMS_OUT", out.toString(), "LMS_STDOUT", tag + ".out", "LMS_STDERR", tag + ".err", "LMS_RC", tag + ".rc",
        "LMS_ARGC", String.valueOf(args.size()), "LMSCTL", launcher().toString()));
    env.putAll(SMOKE);
    for (int i = 0; i < args.size(); i++) env.put("LMS_ARG_" + i, args.get(i));
    env.putAll(more);
    return pb.start().waitFor();
  }

  static int lmsctl(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher().toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(SMOKE);
    return pb.start().waitFor();
  }

  /** The sandbox LMS's own smoke-test credentials, as Jenkins would bind them. */
  static final Map<String, String> SMOKE = Map.of("LMS_SMOKE_USER", "bench", "LMS_SMOKE_PASSWORD", "bench", "LMS_SMOKE_TOKEN",
      lms.rollback.sandbox.LmsStandIn.TOKEN);

  /** The repository's own launcher, as on an agent's PATH. */
  static Path launcher() {
    return Path.of("lmsctl").toAbsolutePath();
  }

  static long machineMillis(Path out) throws Exception {
    long total = 0;
    for (String line : Files.readAllLines(out.resolve("journal.jsonl"))) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("step.end")) total += e.path("data").path("millis").asLong();
    }
    return total;
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
