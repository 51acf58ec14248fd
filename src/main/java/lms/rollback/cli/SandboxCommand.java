package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.ClusterConnection;
import lms.rollback.cluster.ClusterStatus;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.ExitCode;
import lms.rollback.core.PrintedCommand;
import lms.rollback.core.Progress;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Scenario;
import lms.rollback.report.ReportBuilder;
import lms.rollback.runbook.RollbackRun;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.RunStateMachine;
import lms.rollback.runbook.StepRunner;
import lms.rollback.sandbox.LmsStandIn;
import lms.rollback.sandbox.MetricsStandIn;
import lms.rollback.sandbox.SandboxCluster;
import lms.rollback.sandbox.SandboxGate;
import lms.rollback.sandbox.SandboxPlan;
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
        "Needs nothing installed. Starts an API server seeded with the environment's LMS objects as they are after a bad release (VirtualService 0 %% Blue / 100 %% Green, Blue and Green Deployments with ready pods, a stand-in controller that removes pods when a Deployment is scaled down), then runs the scenario's steps through the same engine as production: announce, switch + read-back, verify Blue (cluster view), preserve Green's logs + scale Green to 0 + wait for no pods, confirm. Each step is printed with its time against its budget.",
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

  @Option(names = "--verify-window", paramLabel = "DURATION", defaultValue = "6s", converter = DurationConverter.class,
      description = "How long the sandbox observes Blue's metrics (the plan says 90s; the sandbox has no real traffic to wait for). Default: ${DEFAULT-VALUE}.")
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
    PrintWriter shown = text ? out : new PrintWriter(java.io.OutputStream.nullOutputStream());
    String trigger = gateTrigger != null ? gateTrigger : TRIGGER;
    if (gateTrigger != null && !plan.plan().trigger(gateTrigger).needsApproval()) {
      throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--gate: " + gateTrigger + " is automatic and has no gate; allowed: a MAN- or BUS- trigger, e.g. MAN-001");
    }
    try (KubernetesClient client = new ClusterConnection(kubeconfig, null).open();
        SandboxGate gate = SandboxGate.start(plan.plan(), journal, shown)) {
      ClusterSession cluster = new ClusterSession(client, ApiRetry.defaults(progress), journal, progress);
      var standIn = sandbox.startLms(env, plan.plan().verification());
      // the stand-in scrapes every second: Blue is judged on its post-switch data as the plan says, only sooner
      var measured = plan.plan().withVerification(plan.plan().verification().scrapedEvery(Budget.of(MetricsStandIn.SCRAPE_INTERVAL),
          Budget.parse(SandboxPlan.ROUTE_PROPAGATION), Budget.of(verifyWindow)));
      Duration first = measured.verification().firstEvidence();
      if (verifyWindow.compareTo(first) < 0) {
        throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--verify-window: " + Budget.format(verifyWindow)
            + " ends before the stand-in has post-switch data (a scrape every " + Budget.format(MetricsStandIn.SCRAPE_INTERVAL) + ", routes pushed within "
            + SandboxPlan.ROUTE_PROPAGATION + ", then two scrapes); allowed: " + Budget.format(first) + " or more");
      }
      var probes = new RollbackSteps.Probes(measured, java.net.URI.create(standIn.url()),
          new PrometheusClient(sandbox.metrics().url(), plan.plan().verification().requestTimeout().limit()),
          lms.rollback.cluster.DeploymentVersion.of(cluster.deployment(env.namespace(), env.blue().deployment())), verifyWindow, SMOKE_CREDENTIALS);
      Map<String, String> channels = new java.util.HashMap<>(System.getenv());
      RollbackRun.Waiting waiting = RollbackRun.Waiting.NO;
      String buildUrl = null;
      if (gateTrigger != null) {
        // the sandbox plays the people: the war room it shows, and the next authority answering through the link
        channels.putIfAbsent(plan.plan().channels().get("war-room") == null ? "LMS_WAR_ROOM_WEBHOOK" : plan.plan().channels().get("war-room").addressEnv(),
            gate.warRoomUrl());
        var levels = new lms.rollback.gate.Authority(plan.plan()).gateFor(gateTrigger, SCENARIO).levels();
        var answering = levels.get(Math.min(1, levels.size() - 1));
        gate.answerAt(gateTrigger, answering.level(), answering.role(), answering.holders().isEmpty() ? "sandbox" : answering.holders().get(0), 0.3);
        waiting = new RollbackRun.Waiting(true, minute.toMillis() / 60_000.0, SandboxGate.POLL);
        buildUrl = gate.buildUrl();
        shown.printf("Gate %s — %s decides within %s (sandbox: a minute lasts %s); build %s%n", gateTrigger, levels.get(0).title(),
            Budget.format(levels.get(0).window()), Budget.format(minute), gate.buildUrl());
      }
      shown.printf("  (Blue is observed for %s instead of the plan's %s: the sandbox's metrics are a stand-in, see --verify-window)%n",
          Budget.format(verifyWindow), plan.plan().verification().observationWindow());
      shown.flush();
      RollbackRun run = new RollbackRun(plan.plan(), cluster, output.outDir(), channels, progress).probes(probes).waiting(waiting)
          .printTo(text ? out : null);
      String reason = gateTrigger == null ? "sandbox: error rate spike after the release"
          : "sandbox: " + plan.plan().trigger(gateTrigger).condition().toLowerCase(java.util.Locale.ROOT) + " after the release";
      RollbackRun.Outcome outcome = run.advance(new RollbackRun.Request(SCENARIO, plan.environmentName(), trigger, output.actor(), reason, false, null,
          null, output.actor() + " (lmsctl sandbox)", EnvironmentLease.DEFAULT_WAIT, buildUrl));
      RunStateMachine.Result result = outcome.result();
      Map<String, Object> data = new LinkedHashMap<>(outcome.asData());
      data.put("journal", journal.file().toString());
      data.put("kubeconfig", kubeconfig.toString());
      if (gateTrigger != null) {
        var decided = gate.decided();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trigger", gateTrigger);
        m.put("status", result.gate() == null ? "undecided" : result.gate().status().key());
        if (decided != null) {
          m.put("approvedBy", decided.by());
          m.put("level", decided.level());
          m.put("linkStatus", decided.linkStatus());
        }
        m.put("warRoomMessages", gate.warRoomMessages().size());
        data.put("gate", m);
      }
      if (text) {
        var report = new ReportBuilder(plan.plan()).build(journal.file(), null, null);
        if (result.gate() != null && result.gate().status() == lms.rollback.gate.GateRun.Status.APPROVED) {
          out.println("  approved: " + result.gate().describe() + " after " + StepRunner.seconds(report.humanTime()) + " of waiting for people");
        }
        out.printf("  total %s against the scenario's target of %s (machine time); waiting for people: %s%n",
            StepRunner.seconds(result.total()), scenario.target(), StepRunner.seconds(report.humanTime()));
        if (!result.ok()) out.println("  " + (result.started() ? "STOPPED at " + result.stoppedAt() : "NOT STARTED") + ": " + result.reason());
        ClusterStatus.read(cluster, plan.plan(), plan.environmentName()).describe().forEach(l -> out.println("  " + l));
        out.println("  journal: " + journal.file());
        out.println("  report:  " + outcome.reports().stream().map(Path::toString).filter(p -> p.endsWith(".html")).findFirst().orElse(""));
      } else {
        out.println(Journal.json(data));
      }
      out.flush();
      return outcome.exitCode();
    }
  }

  /**
   * What to try against the served sandbox, in an order that works: look, watch (Green errs: AUTO-001 holds and the
   * watch rolls back, exit 10), then verify Blue, smoke-test it and run the rollback again (already done: nothing to change).
   */
  private List<PrintedCommand> tryLines(Path kubeconfig, Path planFile, Path runs) {
    java.util.function.UnaryOperator<PrintedCommand> planned = c -> c.option("--plan", planFile).option("--env", plan.environmentName());
    java.util.function.UnaryOperator<PrintedCommand> cluster = c -> planned.apply(c.option("--kubeconfig", kubeconfig));
    java.util.function.UnaryOperator<PrintedCommand> smoke = c -> c.env("LMS_SMOKE_USER", "u").env("LMS_SMOKE_PASSWORD", "p")
        .env("LMS_SMOKE_TOKEN", LmsStandIn.TOKEN);
    String window = Budget.format(verifyWindow);
    return List.of(
        cluster.apply(PrintedCommand.of("status")).option("--out-dir", runs.resolve("status")),
        smoke.apply(cluster.apply(PrintedCommand.of("watch"))).option("--interval", "2s").option("--for", "1m").option("--window", window)
            .option("--out-dir", runs.resolve("watch")),
        cluster.apply(PrintedCommand.of("verify-blue")).option("--window", window).option("--out-dir", runs.resolve("watch")),
        smoke.apply(planned.apply(PrintedCommand.of("smoke"))).option("--out-dir", runs.resolve("watch")),
        smoke.apply(cluster.apply(PrintedCommand.of("rollback"))).option("--scenario", "B").option("--trigger", "AUTO-001").option("--window", window)
            .option("--out-dir", runs.resolve("watch")));
  }

  private int serve(SandboxCluster sandbox, Path kubeconfig, Environment env, PrintWriter out) throws InterruptedException {
    out.println("Sandbox Kubernetes API on " + sandbox.server().url() + " with '" + plan.environmentName() + "' seeded");
    out.println("  kubeconfig: " + kubeconfig.toAbsolutePath());
    out.println("  try:  export KUBECONFIG=" + kubeconfig.toAbsolutePath());
    out.println("        kubectl get virtualservice,deployments,pods -n " + env.namespace());
    var standIn = sandbox.startLms(env, plan.plan().verification());
    out.println("  LMS (served by Blue or Green as the VirtualService says): " + standIn.url());
    out.println("  Prometheus API stand-in (traffic follows the weights; Green errs): " + sandbox.metrics().url());
    try {
      Path planFile = lms.rollback.sandbox.SandboxPlan.write(output.outDir().resolve(lms.rollback.sandbox.SandboxPlan.FILE), plan.environmentName(),
          standIn.url(), sandbox.metrics().url()).toAbsolutePath();
      out.println("  plan pointing '" + plan.environmentName() + "' at these stand-ins, measured as they scrape (for --plan, or the Jenkins job's PLAN): "
          + planFile);
      Path runs = output.outDir().resolve("runs").toAbsolutePath();
      for (PrintedCommand c : tryLines(kubeconfig.toAbsolutePath(), planFile, runs)) out.println("        " + c);
    } catch (java.io.IOException e) {
      out.println("  (could not write the sandbox plan: " + e.getMessage() + ")");
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
    return ExitCode.OK;
  }
}
