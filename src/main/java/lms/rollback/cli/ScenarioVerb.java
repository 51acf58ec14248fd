package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.Cluster;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.database.DatabaseUrl;
import lms.rollback.database.MigrationProcess;
import lms.rollback.notify.CommunicationSchedule;
import lms.rollback.notify.Notifier;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import lms.rollback.report.RehearsalScorecard;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.ReportWriter;
import lms.rollback.report.RollbackReport;
import lms.rollback.runbook.DatabaseSteps;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.runbook.RunState;
import lms.rollback.runbook.ScenarioRunner;
import lms.rollback.runbook.StepTimer;
import lms.rollback.verify.PrometheusClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a scenario of §5 through the runner: the environment's lease held throughout, each step timed
 * against its budget, the §6.1 messages as their events happen, the report written at the end —
 * and a killed run finished by running the same command again.
 */
abstract class ScenarioVerb extends Verb {

  static final String LOCK_FILE = "rollback.lock";
  static final String SCORECARD_FILE = "rehearsal-scorecard-junit.xml";
  /** Rehearsals never touch the environment the plan calls production. */
  static final String PRODUCTION = PlanOptions.DEFAULT_ENV;

  @Mixin ClusterOptions clusterOptions;

  @Option(names = "--trigger", required = true, paramLabel = "ID", description = "The trigger of §2 this rollback answers (AUTO-001, MAN-004, …).")
  String trigger;

  @Option(names = "--requested-by", paramLabel = "USER", description = "Who asked for the rollback. Default: --actor.")
  String requestedBy;

  @Option(names = "--through", paramLabel = "STEP", description = "Stop after this step (e.g. switch-traffic); run the command again, with another --through or none, to go on.")
  String through;

  @Option(names = "--rehearsal", description = "A rehearsal (§9.1): not on production; no two-person authorization needed for the database step; the §9.2 scorecard is written.")
  boolean rehearsal;

  @Option(names = "--base-url", paramLabel = "URL", description = "Where LMS answers, for Blue's checks and the smoke tests. Default: the environment's baseUrl.")
  URI baseUrl;

  @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus for Blue's error rate and latency. Default: the environment's prometheusUrl.")
  String prometheus;

  @Option(names = "--window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long Blue's metrics are observed. Default: the plan's verification.observationWindow (3m).")
  Duration window;

  @Option(names = "--expected-version", paramLabel = "VERSION", description = "Version Blue must report. Default: from Blue's Deployment.")
  String expectedVersion;

  @Option(names = "--cluster-only", description = "Verify Blue and confirm from the cluster's view alone: no HTTP probes, Prometheus or smoke tests (for a cluster whose LMS this machine cannot reach).")
  boolean clusterOnly;

  @Mixin DatabaseOptions database;

  abstract String scenarioName();

  /** Checks of the options that depend on the scenario, before anything is touched. */
  void validate(Scenario scenario) { }

  @Override
  Outcome execute(Journal journal) {
    String name = scenarioName();
    Scenario scenario = plan.plan().scenario(name);
    plan.plan().trigger(trigger);
    Environment env = plan.environment();
    StepAction stopAfter = through == null ? null : parseStep(scenario);
    if (rehearsal && PRODUCTION.equals(plan.environmentName())) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--rehearsal: rehearsals run on staging (§9.1), never on " + PRODUCTION + "; pass --env staging");
    }
    validate(scenario);
    boolean needsDatabase = scenario.steps().stream().anyMatch(s -> s.action() == StepAction.DATABASE_ROLLBACK || s.action() == StepAction.VERIFY_DATA
        || s.action() == StepAction.RESTORE_DATABASE);
    DatabaseUrl url = needsDatabase ? database.url(env) : null;
    Progress progress = Progress.stderr();
    PrintWriter out = spec.commandLine().getOut();
    boolean text = !output.json();
    try (OutDirLock local = lockOutDir(); KubernetesClient client = clusterOptions.connection().open()) {
      Cluster cluster = new Cluster(client, new ApiRetry(clusterOptions.attempts(), ApiRetry.DEFAULT_FIRST_BACKOFF, progress), journal, progress);
      RunState earlier = RunState.unfinished(journal, name, scenario, plan.environmentName(), trigger);
      // a resumed run takes its lease back under the holder it had, instead of waiting for the lease to expire
      String holder = earlier != null && earlier.leaseHolder() != null ? earlier.leaseHolder()
          : clusterOptions.leaseHolder(output.actor()) + " (lmsctl " + spec.name() + ")";
      try (EnvironmentLease lease = EnvironmentLease.acquire(client, env.namespace(), plan.environmentName(), holder,
          EnvironmentLease.DEFAULT_DURATION, clusterOptions.lockWait(), progress)) {
        journal.append("lease.acquired", Map.of("lease", lease.name(), "holder", holder));
        RollbackSteps steps = new RollbackSteps(cluster, plan.environmentName(), env, output.outDir(), trigger).redeployImage(redeployImage());
        if (!clusterOnly) steps.probes(probes(cluster, env));
        if (needsDatabase) {
          MigrationProcess process = scenario.steps().stream().anyMatch(s -> s.action() == StepAction.DATABASE_ROLLBACK)
              ? database.process(cluster, env, url, plan.plan().database(), progress) : null;
          steps.database(new DatabaseSteps(journal, progress, new DatabaseSteps.Settings(plan.plan().database(), url, process, database.target,
              rehearsal, rehearsal ? null : trigger, dump(), output.outDir())));
        }
        ScenarioRunner runner = steps.register(new ScenarioRunner(journal))
            .hooks(new Communications(new CommunicationSchedule(plan.plan(), Notifier.defaults(plan.plan(), journal, progress)), text ? out : null));
        if (text) {
          out.printf("Scenario %s — %s (target %s) on '%s'%s%n", name, scenario.title(), scenario.target(), plan.environmentName(),
              earlier == null ? "" : ", resuming the run started at journal entry " + earlier.startSeq());
          out.flush();
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("environment", plan.environmentName());
        context.put("trigger", trigger);
        context.put("requestedBy", requestedBy != null ? requestedBy : output.actor());
        context.put("rehearsal", rehearsal);
        context.put("leaseHolder", holder);
        ScenarioRunner.Result result;
        int exit = ExitCode.OK;
        try {
          result = runner.run(name, scenario, context, o -> {
            if (text) {
              out.println(StepTimer.line(o));
              out.flush();
            }
          }, stopAfter);
        } catch (ScenarioRunner.ScenarioStoppedException e) {
          result = e.result();
          exit = e.exitCode();
        }
        journal.append("lease.released", Map.of("lease", lease.name()));
        return outcome(journal, scenario, result, exit);
      }
    }
  }

  private Outcome outcome(Journal journal, Scenario scenario, ScenarioRunner.Result result, int exit) {
    Map<String, Object> data = new LinkedHashMap<>(result.asData());
    List<String> text = new ArrayList<>();
    text.add(String.format("  machine time %s against the scenario's target of %s", StepTimer.seconds(result.total()), scenario.target()));
    if (!result.ok()) text.add("  STOPPED at " + result.stoppedAt() + ": " + result.reason());
    else if (!result.complete()) text.add("  paused after " + through + "; run the same command again (without --through, or with a later step) to go on");
    if (!result.ok() || result.complete()) {
      RollbackReport report = new ReportBuilder(plan.plan()).build(journal.file(), null, null);
      List<Path> files = new ArrayList<>(ReportWriter.write(report, output.outDir(), EnumSet.allOf(ReportWriter.Format.class)));
      if (rehearsal) files.add(scorecard(report));
      data.put("reports", files.stream().map(Path::toString).toList());
      files.forEach(f -> text.add("  report: " + f));
    }
    data.put("journal", journal.file().toString());
    text.add("  journal: " + journal.file());
    return new Outcome(exit, data, text);
  }

  private Path scorecard(RollbackReport report) {
    Path card = output.outDir().resolve(SCORECARD_FILE);
    try {
      Files.writeString(card, RehearsalScorecard.junit(RehearsalScorecard.score(report, plan.plan().rehearsalChecklist())));
      return card;
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot write " + card + ": " + e.getMessage(), e);
    }
  }

  private StepAction parseStep(Scenario scenario) {
    for (Scenario.Step s : scenario.steps()) if (s.action().key().equals(through)) return s.action();
    throw new LmsException(ExitCode.INVALID_INPUT, "--through: scenario " + scenarioName() + " has no step '" + through + "'; allowed: "
        + String.join(", ", scenario.steps().stream().map(s -> s.action().key()).toList()));
  }

  private RollbackSteps.Probes probes(Cluster cluster, Environment env) {
    var v = plan.plan().verification();
    String version = expectedVersion != null ? expectedVersion : ExpectedVersion.of(cluster.deployment(env.namespace(), env.blue().deployment()));
    return new RollbackSteps.Probes(plan.plan(), baseUrl != null ? baseUrl : URI.create(env.baseUrl()),
        new PrometheusClient(prometheus != null ? prometheus : env.prometheusUrl(), v.requestTimeout().limit()), version,
        window != null ? window : v.observationWindow().limit(), System.getenv());
  }

  /** Scenario D's backup; null for the others. */
  Path dump() {
    return null;
  }

  String redeployImage() {
    return null;
  }

  /** One runner per out-dir at a time; the OS drops the lock when the process dies, even by SIGKILL. */
  private record OutDirLock(FileChannel channel) implements AutoCloseable {
    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // the lock goes with the process anyway
      }
    }
  }

  private OutDirLock lockOutDir() {
    try {
      Files.createDirectories(output.outDir());
      FileChannel channel = FileChannel.open(output.outDir().resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new LmsException(ExitCode.CLUSTER_STATE, "another lmsctl rollback is running with --out-dir " + output.outDir()
            + "; wait for it, or use another --out-dir");
      }
      return new OutDirLock(channel);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot lock " + output.outDir().resolve(LOCK_FILE) + ": " + e.getMessage(), e);
    }
  }
}
