package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.Cluster;
import lms.rollback.cluster.ClusterConnection;
import lms.rollback.cluster.ClusterStatus;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.ExitCode;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import lms.rollback.notify.CommunicationSchedule;
import lms.rollback.notify.Notifier;
import lms.rollback.plan.Scenario;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.ReportWriter;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.ScenarioRunner;
import lms.rollback.runbook.StepTimer;
import lms.rollback.plan.Budget;
import lms.rollback.sandbox.LmsStandIn;
import lms.rollback.sandbox.SandboxCluster;
import lms.rollback.verify.PrometheusClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sandbox", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Run a whole Scenario B rollback against an embedded Kubernetes API on 127.0.0.1.",
        "",
        "Needs nothing installed. Starts an API server seeded with the environment's LMS objects as they are after a bad release (VirtualService 0 % Blue / 100 % Green, Blue and Green Deployments with ready pods, a stand-in controller that removes pods when a Deployment is scaled down), then runs the scenario's steps through the same engine as production: announce, switch + read-back, verify Blue (cluster view), preserve Green's logs + scale Green to 0 + wait for no pods, confirm. Each step is printed with its time against its budget.",
        "",
        "With --serve it keeps the API server running instead and writes a kubeconfig, so you can drive it with kubectl and lmsctl yourself."},
    footer = {"", "Examples:", "  lmsctl sandbox", "  lmsctl sandbox --serve --port 6443",
        "  KUBECONFIG=lms-rollback-out/sandbox-kubeconfig.yaml kubectl get vs,deploy,pods -n production", ""})
final class SandboxCommand implements Callable<Integer> {

  public static final String SCENARIO = "B";
  public static final String KUBECONFIG_FILE = "sandbox-kubeconfig.yaml";
  /** The sandbox plays a bad release whose error rate spiked: the commonest automatic trigger. */
  public static final String TRIGGER = "AUTO-001";
  /** The stand-in LMS's own test credentials; a real run takes them from the environment. */
  static final Map<String, String> SMOKE_CREDENTIALS = Map.of("LMS_SMOKE_USER", "sandbox", "LMS_SMOKE_PASSWORD", "sandbox",
      "LMS_SMOKE_TOKEN", LmsStandIn.TOKEN);

  @Mixin PlanOptions plan;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Option(names = "--serve", description = "Keep the API server running (until Ctrl-C) instead of running the scenario.")
  boolean serve;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Port on 127.0.0.1. Default: a free one.")
  int port;

  @Option(names = "--verify-window", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
      description = "How long the sandbox observes Blue's metrics (the plan says 3m; the sandbox has no real traffic to wait for). Default: ${DEFAULT-VALUE}.")
  Duration verifyWindow;

  @Option(names = "--gate", paramLabel = "TRIGGER",
      description = "Run a gated rollback for this MAN-/BUS- trigger first: the deciders are notified on a war-room webhook the sandbox shows (and by email when LMS_SMTP_HOST is set) with the link to a stand-in Jenkins input page, reminded, and escalated; the primary authority does not answer and the next one approves through the link. E.g. MAN-001. Default: none (the AUTO-001 rollback, no approval).")
  String gateTrigger;

  @Option(names = "--minute", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
      description = "With --gate: how long a minute of the plan's decision windows and reminders lasts in the sandbox. Default: ${DEFAULT-VALUE} (a 5m window lasts 10s).")
  Duration minute;

  @Option(names = "--termination-delay", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
      description = "How long a scaled-down pod takes to terminate. Default: ${DEFAULT-VALUE}.")
  Duration terminationDelay;

  @Override
  public Integer call() throws Exception {
    Environment env = plan.environment();
    PrintWriter out = spec.commandLine().getOut();
    try (SandboxCluster sandbox = SandboxCluster.start(port, terminationDelay).seed(env)) {
      Path kubeconfig = sandbox.server().writeKubeconfig(output.outDir().resolve(KUBECONFIG_FILE));
      if (serve) {
        return serve(sandbox, kubeconfig, env, out);
      }
      return rollback(kubeconfig, env, out, sandbox);
    }
  }

  private int rollback(Path kubeconfig, Environment env, PrintWriter out, SandboxCluster sandbox) throws java.io.IOException {
    Scenario scenario = plan.plan().scenario(SCENARIO);
    Journal journal = new Journal(output.outDir(), output.actor());
    Progress progress = Progress.stderr();
    boolean text = !output.json();
    String trigger = TRIGGER;
    Map<String, Object> gated = null;
    if (gateTrigger != null) {
      if (!plan.plan().trigger(gateTrigger).needsApproval()) {
        throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--gate: " + gateTrigger + " is automatic and has no gate; allowed: a MAN- or BUS- trigger, e.g. MAN-001");
      }
      gated = gate(journal, text ? out : new PrintWriter(java.io.OutputStream.nullOutputStream()));
      if (gated == null) {
        out.println("  nobody approved " + gateTrigger + ": nothing was rolled back");
        out.flush();
        return ExitCode.NOT_AUTHORIZED;
      }
      trigger = gateTrigger;
    }
    if (text) {
      out.printf("Scenario %s — %s (target %s) on the sandbox's '%s' at %s%n", SCENARIO, scenario.title(), scenario.target(),
          plan.environmentName(), sandbox.server().url());
      out.printf("  (Blue is observed for %s instead of the plan's %s: the sandbox's metrics are a stand-in, see --verify-window)%n",
          Budget.format(verifyWindow), plan.plan().verification().observationWindow());
      out.flush();
    }
    try (KubernetesClient client = new ClusterConnection(kubeconfig, null).open();
        EnvironmentLease lease = EnvironmentLease.acquire(client, env.namespace(), plan.environmentName(), output.actor() + " (lmsctl sandbox)",
            EnvironmentLease.DEFAULT_DURATION, EnvironmentLease.DEFAULT_WAIT, progress)) {
      Cluster cluster = new Cluster(client, ApiRetry.defaults(progress), journal, progress);
      var standIn = sandbox.startLms(env);
      var probes = new RollbackSteps.Probes(plan.plan(), java.net.URI.create(standIn.url()),
          new PrometheusClient(sandbox.metrics().url(), plan.plan().verification().requestTimeout().limit()),
          ExpectedVersion.of(cluster.deployment(env.namespace(), env.blue().deployment())), verifyWindow, SMOKE_CREDENTIALS);
      ScenarioRunner runner = new RollbackSteps(cluster, plan.environmentName(), env, output.outDir(), trigger).probes(probes).register(new ScenarioRunner(journal))
          .hooks(new Communications(new CommunicationSchedule(plan.plan(), Notifier.defaults(plan.plan(), journal, progress)), text ? out : null));
      ScenarioRunner.Result result;
      int failure = ExitCode.OK;
      try {
        result = runner.run(SCENARIO, scenario, Map.of("environment", plan.environmentName(), "trigger", trigger, "requestedBy", output.actor()), o -> {
          if (text) {
            out.println(StepTimer.line(o));
            out.flush();
          }
        });
      } catch (ScenarioRunner.ScenarioStoppedException e) {
        result = e.result();
        failure = e.exitCode();
      }
      Map<String, Object> data = new LinkedHashMap<>(result.asData());
      var report = new ReportBuilder(plan.plan()).build(journal.file(), null, null);
      List<Path> reports = ReportWriter.write(report, output.outDir(), EnumSet.allOf(ReportWriter.Format.class));
      data.put("journal", journal.file().toString());
      data.put("reports", reports.stream().map(Path::toString).toList());
      data.put("kubeconfig", kubeconfig.toString());
      if (gated != null) data.put("gate", gated);
      if (text) {
        out.printf("  total %s against the scenario's target of %s (machine time); waiting for people: %s%n",
            StepTimer.seconds(result.total()), scenario.target(), StepTimer.seconds(report.humanTime()));
        if (!result.ok()) out.println("  STOPPED at " + result.stoppedAt() + ": " + result.reason());
        ClusterStatus.read(cluster, plan.plan(), plan.environmentName()).describe().forEach(l -> out.println("  " + l));
        out.println("  journal: " + journal.file());
        out.println("  report:  " + reports.stream().map(Path::toString).filter(p -> p.endsWith(".html")).findFirst().orElse(""));
      } else {
        out.println(Journal.json(data));
      }
      out.flush();
      return failure;
    }
  }

  /** The gate as Jenkins and the people would play it, on 127.0.0.1: see SandboxGate. */
  private Map<String, Object> gate(Journal journal, PrintWriter out) throws java.io.IOException {
    var p = plan.plan();
    double scale = minute.toMillis() / 60_000.0;
    try (var gate = lms.rollback.sandbox.SandboxGate.start(p, journal, out)) {
      Map<String, String> env = new java.util.HashMap<>(System.getenv());
      env.putIfAbsent(p.channels().get("war-room") == null ? "LMS_WAR_ROOM_WEBHOOK" : p.channels().get("war-room").addressEnv(), gate.warRoomUrl());
      var notifier = lms.rollback.gate.GateNotifier.create(p, journal, new lms.rollback.notify.MessageTemplates(null), env, Notifier.DEFAULT_ATTEMPTS,
          Progress.stderr());
      var levels = new lms.rollback.gate.Authority(p).gateFor(gateTrigger, SCENARIO).levels();
      out.printf("Gate %s — %s decides within %s (sandbox: a minute lasts %s); build %s%n", gateTrigger, levels.get(0).title(),
          Budget.format(levels.get(0).window()), Budget.format(minute), gate.buildUrl());
      out.flush();
      var request = new lms.rollback.gate.PromptLog.Request(output.actor(), "sandbox: " + p.trigger(gateTrigger).condition().toLowerCase(java.util.Locale.ROOT)
          + " after the release", SCENARIO, plan.environmentName(), null, lms.rollback.gate.ApprovalLink.of(gate.buildUrl()));
      var decided = gate.run(notifier, gateTrigger, request, scale, 1, 0.3);
      if (decided == null) return null;
      out.printf("  approved by %s (%s) at level %d after %s of waiting for people%n", decided.by(), decided.role(), decided.level(),
          StepTimer.seconds(decided.waited()));
      out.flush();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("trigger", gateTrigger);
      m.put("approvedBy", decided.by());
      m.put("role", decided.role());
      m.put("level", decided.level());
      m.put("linkStatus", decided.linkStatus());
      m.put("warRoomMessages", gate.warRoomMessages().size());
      return m;
    }
  }

  private int serve(SandboxCluster sandbox, Path kubeconfig, Environment env, PrintWriter out) throws InterruptedException {
    out.println("Sandbox Kubernetes API on " + sandbox.server().url() + " with '" + plan.environmentName() + "' seeded");
    out.println("  kubeconfig: " + kubeconfig.toAbsolutePath());
    out.println("  try:  export KUBECONFIG=" + kubeconfig.toAbsolutePath());
    out.println("        kubectl get virtualservice,deployments,pods -n " + env.namespace());
    out.println("        lmsctl status --kubeconfig " + kubeconfig.toAbsolutePath() + " --env " + plan.environmentName());
    var standIn = sandbox.startLms(env);
    String common = " --kubeconfig " + kubeconfig.toAbsolutePath() + " --env " + plan.environmentName();
    out.println("  LMS (served by Blue or Green as the VirtualService says): " + standIn.url());
    out.println("  Prometheus API stand-in (traffic follows the weights; Green errs): " + sandbox.metrics().url());
    out.println("        lmsctl watch" + common + " --prometheus " + sandbox.metrics().url() + " --interval 2s --for 1m");
    out.println("        lmsctl verify-blue" + common + " --base-url " + standIn.url() + " --prometheus " + sandbox.metrics().url() + " --window 5s");
    out.println("        LMS_SMOKE_USER=u LMS_SMOKE_PASSWORD=p LMS_SMOKE_TOKEN=" + LmsStandIn.TOKEN + " lmsctl smoke --base-url " + standIn.url());
    out.println("Press Ctrl-C to stop.");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
    return ExitCode.OK;
  }
}
