package lms.rollback.verify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Runbook.Verification;

/**
 * §4.2 step 2: is Blue serving correctly now? Its health endpoint answers with the previous
 * version, its status says the database is reachable, and over the observation window its error
 * rate and p95 stay normal while Green gets no requests. A check that cannot decide fails.
 */
public final class BlueVerifier {

  public static final String SUITE = "verify-blue";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  /** {@code expectedVersion} null: the version check is inconclusive (and so fails). */
  public record Request(Environment env, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window) {}

  private final Verification v;
  private final Journal journal;
  private final Progress progress;

  public BlueVerifier(Verification verification, Journal journal, Progress progress) {
    this.v = verification;
    this.journal = journal;
    this.progress = progress;
  }

  public List<CheckResult> verify(Request r) {
    List<CheckResult> results = new ArrayList<>();
    HttpProbe probe = new HttpProbe(v.requestTimeout().limit());
    probeHealth(probe, r, results);
    probeStatus(probe, r, results);
    String blue = r.env().blue().host();
    double maxError = v.maxErrorRatePercent();
    double maxP95 = v.maxLatencyBaselineFactor() * v.latencyBaseline().limit().toMillis() / 1000.0;
    List<String> metrics = List.of("Blue error rate (%)", "Blue p95 latency (s)", "Green receives no requests (req/s)");

    // a Blue that does not answer, or answers wrongly, has failed: waiting out the window would only lose time
    String unobserved = results.stream().anyMatch(c -> !c.passed()) ? "not observed: Blue failed " + String.join(", ",
        results.stream().filter(c -> !c.passed()).map(CheckResult::name).toList()) + " already"
        : r.window().isZero() || r.window().isNegative() ? "not observed: the observation window is " + Budget.format(r.window()) : null;
    if (unobserved != null) {
      for (String name : metrics) results.add(record(CheckResult.inconclusive(name, null, 0, unobserved)));
      return results;
    }

    Instant start = Instant.now();
    waitFor(r.window(), start);
    Instant end = Instant.now();
    results.add(record(overWindow(r.prometheus(), "Blue error rate (%)", v.query("errorRatePercent", blue), start, end, x -> x <= maxError,
        "<= " + maxError + " at every sample")));
    results.add(record(overWindow(r.prometheus(), "Blue p95 latency (s)", v.query("p95Seconds", blue), start, end, x -> x <= maxP95,
        "<= " + maxP95 + " (" + v.maxLatencyBaselineFactor() + " x baseline " + v.latencyBaseline() + ")")));
    results.add(record(overWindow(r.prometheus(), "Green receives no requests (req/s)", v.query("requestRate", r.env().green().host()), start, end,
        x -> x == 0, "0 at every sample")));
    return results;
  }

  private void probeHealth(HttpProbe probe, Request r, List<CheckResult> results) {
    URI url = r.baseUrl().resolve(v.healthPath());
    long t = System.nanoTime();
    try {
      HttpProbe.Answer a = probe.send("GET", url, java.util.Map.of(), null);
      results.add(record(a.status() == 200 ? CheckResult.pass("Blue responds (" + v.healthPath() + ")", "HTTP " + a.status(), "HTTP 200", a.millis())
          : CheckResult.fail("Blue responds (" + v.healthPath() + ")", "HTTP " + a.status(), "HTTP 200", a.millis(), "")));
      String version = a.field(v.versionField());
      String name = "Previous version displayed";
      if (r.expectedVersion() == null) {
        results.add(record(CheckResult.inconclusive(name, null, a.millis(),
            "no expected version: pass --expected-version, or label Blue's Deployment 'version'")));
      } else if (version == null) {
        results.add(record(CheckResult.fail(name, null, r.expectedVersion(), a.millis(), "the health answer has no '" + v.versionField() + "' field")));
      } else {
        results.add(record(version.equals(r.expectedVersion()) ? CheckResult.pass(name, version, r.expectedVersion(), a.millis())
            : CheckResult.fail(name, version, r.expectedVersion(), a.millis(), "Blue is not serving the previous version")));
      }
    } catch (IOException e) {
      long ms = (System.nanoTime() - t) / 1_000_000;
      results.add(record(CheckResult.fail("Blue responds (" + v.healthPath() + ")", null, "HTTP 200", ms, "no answer from " + url + ": " + reason(e))));
      results.add(record(CheckResult.inconclusive("Previous version displayed", r.expectedVersion(), ms, "no health answer")));
    }
  }

  private void probeStatus(HttpProbe probe, Request r, List<CheckResult> results) {
    URI url = r.baseUrl().resolve(v.statusPath());
    String name = "Database connectivity (" + v.statusPath() + ")";
    long t = System.nanoTime();
    try {
      HttpProbe.Answer a = probe.send("GET", url, java.util.Map.of(), null);
      String db = a.field(v.databaseField());
      results.add(record(a.status() == 200 && v.databaseOk().equals(db) ? CheckResult.pass(name, db, v.databaseOk(), a.millis())
          : CheckResult.fail(name, db == null ? "HTTP " + a.status() : db, v.databaseOk(), a.millis(), "")));
    } catch (IOException e) {
      results.add(record(CheckResult.fail(name, null, v.databaseOk(), (System.nanoTime() - t) / 1_000_000, "no answer from " + url + ": " + reason(e))));
    }
  }

  /** Every sample of the window must hold; no samples, or no answer, is inconclusive. */
  private CheckResult overWindow(PrometheusClient prometheus, String name, String query, Instant start, Instant end, DoublePredicate ok,
      String threshold) {
    long t = System.nanoTime();
    Duration step = v.evaluationStep().limit();
    if (Duration.between(start, end).compareTo(step.multipliedBy(2)) < 0) {
      step = Duration.ofSeconds(Math.max(1, Duration.between(start, end).toSeconds() / 2));
    }
    try {
      List<PrometheusClient.Sample> samples = prometheus.range(query, start, end, step);
      long ms = (System.nanoTime() - t) / 1_000_000;
      if (samples.isEmpty()) return CheckResult.inconclusive(name, threshold, ms, "no data in the window for " + query);
      // one sample where the window should hold many is no evidence that Blue stayed healthy
      long expected = Duration.between(start, end).toMillis() / Math.max(1, step.toMillis()) + 1;
      long required = Math.max(1, (long) Math.floor(v.minSampleCoverage() * expected));
      if (samples.size() < required) {
        return CheckResult.inconclusive(name, threshold, ms, "only " + samples.size() + " of the " + expected + " samples the window should hold (at least "
            + required + " needed, verification.minSampleCoverage " + v.minSampleCoverage() + ")");
      }
      double worst = samples.stream().mapToDouble(PrometheusClient.Sample::value).filter(x -> !ok.test(x)).findFirst()
          .orElse(samples.stream().mapToDouble(PrometheusClient.Sample::value).max().orElse(0));
      boolean all = samples.stream().allMatch(s -> ok.test(s.value()));
      String measured = String.format("%.3f over %d samples", worst, samples.size());
      return all ? CheckResult.pass(name, measured, threshold, ms) : CheckResult.fail(name, measured, threshold, ms, "");
    } catch (PrometheusClient.Unanswered e) {
      return CheckResult.inconclusive(name, threshold, (System.nanoTime() - t) / 1_000_000, e.getMessage());
    }
  }

  private void waitFor(Duration window, Instant start) {
    if (window.isZero() || window.isNegative()) return;
    Instant end = start.plus(window);
    progress.say("  observing Blue for " + Budget.format(window) + " (until " + end + ")");
    try {
      while (Instant.now().isBefore(end)) {
        Duration left = Duration.between(Instant.now(), end);
        Thread.sleep(Math.min(left.toMillis() + 1, PROGRESS_EVERY.toMillis()));
        if (Instant.now().isBefore(end)) {
          progress.say(String.format("  observing Blue: %ds of %ds", Duration.between(start, Instant.now()).toSeconds(), window.toSeconds()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private CheckResult record(CheckResult r) {
    return Checks.journal(journal, SUITE, r);
  }

  static String reason(IOException e) {
    return e instanceof java.net.http.HttpTimeoutException ? "timed out" : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
