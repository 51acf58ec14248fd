package lms.rollback.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.ExitCode;
import lms.rollback.plan.Environment;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;
import lms.rollback.verify.PrometheusClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify-blue", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Is Blue serving correctly now? (runbook §4.2 step 2)",
        "",
        "Checks, each with a result (pass, fail, or inconclusive — which fails), the measured value, the threshold and its duration: Blue's health endpoint answers and reports the previous version; its status endpoint reports the database connected; then, over the observation window after the switch (printing progress), the plan's Prometheus checks at every sample (verification.checks: a query of verification.queries on Blue or Green, a comparison and threshold, and what no number means; the built-in plan's are Blue's error rate and p95 latency, and Green's request rate, which must be 0). Every sample is computed from post-switch data only: its rate window starts no earlier than the switch + verification.routePropagation + scrapeInterval, and the first sample is two scrapes after that. Too few samples with data, a Prometheus that is down or answers in another shape than an instant vector, or an empty answer (unless the check's noData says otherwise), fail closed.",
        "",
        "The expected version is --expected-version, else the 'version' label of Blue's Deployment, else its image tag. Results go to stdout (text or JSON) and to JUnit XML for Jenkins' test report."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  every check passed", "  3  Blue's Deployment could not be read (for the expected version)", "  4  a check failed or was inconclusive", "",
        "Example:", "  lmsctl verify-blue --env production --window 90s --junit verify-blue.xml", ""})
final class VerifyBlueCommand extends ClusterVerb {

  @Option(names = "--window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long after the switch Blue's metrics are observed. Default: the plan's verification.observationWindow (90s).")
  Duration window;

  @Option(names = "--expected-version", paramLabel = "VERSION", description = "Version Blue must report. Default: from Blue's Deployment.")
  String expectedVersion;

  @Option(names = "--base-url", paramLabel = "URL", description = "Where LMS answers. Default: the environment's baseUrl in the plan.")
  URI baseUrl;

  @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus to ask. Default: the environment's prometheusUrl in the plan.")
  String prometheus;

  @Option(names = "--switched-at", paramLabel = "INSTANT",
      description = "When the traffic was switched to Blue (ISO-8601, e.g. 2026-12-03T02:15:00Z); the window is measured from it. Default: the last switch journaled in --out-dir, else now.")
  java.time.Instant switchedAt;

  @Option(names = "--junit", paramLabel = "FILE", description = "JUnit XML of the checks. Default: --out-dir/verify-blue-junit.xml.")
  Path junit;

  @Override
  boolean mutates() {
    return false;
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    var v = plan.plan().verification();
    String version = expectedVersion != null ? expectedVersion : lms.rollback.cluster.DeploymentVersion.of(cluster.deployment(env.namespace(), env.blue().deployment()));
    BlueVerifier.Request request = new BlueVerifier.Request(env, baseUrl != null ? baseUrl : URI.create(env.baseUrl()),
        new PrometheusClient(prometheus != null ? prometheus : env.prometheusUrl(), v.requestTimeout().limit()), version,
        window != null ? window : v.observationWindow().limit(), switchedAt != null ? switchedAt : lastSwitch(cluster));
    // the same checks as the run's verify step, Blue's logs over the window included
    List<CheckResult> results = lms.rollback.runbook.BlueChecks.afterTheSwitch(cluster, env, request.switchedAt(), plan.plan(), v.errorLogPattern(), request).list();
    Path xml = Checks.writeJUnit(junit != null ? junit : output.outDir().resolve("verify-blue-junit.xml"), BlueVerifier.SUITE, results);
    return outcome("Blue", results, xml);
  }

  /** The last switch journaled in the out dir (a rollback's, or 'lmsctl switch'), else now. */
  private static java.time.Instant lastSwitch(ClusterSession cluster) {
    var last = lms.rollback.audit.RunLog.read(cluster.journal()).last(Event.SWITCH_AFTER);
    return last == null ? java.time.Instant.now() : last.ts();
  }

  static Outcome outcome(String what, List<CheckResult> results, Path xml) {
    boolean ok = results.stream().allMatch(CheckResult::passed);
    List<String> text = new ArrayList<>();
    text.add(what + (ok ? ": all " + results.size() + " checks passed" : ": " + results.stream().filter(r -> !r.passed()).count() + " of "
        + results.size() + " checks did not pass"));
    results.forEach(r -> text.add(r.line()));
    text.add("  JUnit XML: " + xml);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("passed", ok);
    data.put("checks", results.stream().map(CheckResult::asData).toList());
    data.put("junit", xml.toString());
    return new Outcome(ok ? ExitCode.OK : ExitCode.VERIFICATION_FAILED, data, text);
  }
}
