package lms.rollback.verify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.plan.Budget;
import lms.rollback.plan.Environment;
import lms.rollback.plan.RunbookTables;
import lms.rollback.plan.RunbookTables.Verification;

/**
 * §4.2 step 2: is Blue serving correctly now? Its health endpoint answers with the previous
 * version, its status says the database is reachable, and over the observation window after the
 * switch the plan's Prometheus checks (verification.checks: in the built-in plan Blue's error rate and
 * p95, and Green's request counter, which must stop increasing) hold at every sample. Every
 * metric sample is computed from data after the switch only ({@link PostSwitchWindow}); a check
 * that cannot decide — too few samples with data, Prometheus gone or answering nonsense — fails.
 */
public final class BlueVerifier {

  public static final String SUITE = "verify-blue";
  /** The check that reads the release Blue serves: what the messages and the report call the current version. */
  public static final String VERSION_CHECK = lms.rollback.report.ReportBuilder.VERSION_CHECK;
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  /** A sample at t is read a moment after t, so that the scrape at t has been stored. */
  static final Duration INGESTION_LAG = Duration.ofSeconds(1);

  /**
   * {@code expectedVersion} null: the version check is inconclusive (and so fails). {@code switchedAt}: when this
   * run's VirtualService patch was applied; the window is measured from it.
   */
  public record Request(Environment env, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window, Instant switchedAt,
      int greenPods) {
    /** Green's pods unknown: its request counter must be seen to stop. */
    public static final int GREEN_PODS_UNKNOWN = -1;

    public Request(Environment env, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window, Instant switchedAt) {
      this(env, baseUrl, prometheus, expectedVersion, window, switchedAt, GREEN_PODS_UNKNOWN);
    }

    /** A verification of a switch that happens now (or happened just before). */
    public Request(Environment env, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window) {
      this(env, baseUrl, prometheus, expectedVersion, window, Instant.now());
    }
  }

  private final Verification v;
  private final lms.rollback.plan.PlanTime time;
  private final Journal journal;
  private final Progress progress;

  public BlueVerifier(Verification verification, lms.rollback.plan.PlanTime time, Journal journal, Progress progress) {
    this.time = time;
    this.v = verification;
    this.journal = journal;
    this.progress = progress;
  }

  public List<CheckResult> verify(Request r) {
    List<CheckResult> results = new ArrayList<>();
    HttpProbe probe = new HttpProbe(v.requestTimeout().limit());
    probeHealth(probe, r, results);
    probeStatus(probe, r, results);
    List<Metric> metrics = v.checks().stream().map(c -> new Metric(c, c.on() == RunbookTables.CheckedSide.BLUE ? r.env().blue().host()
        : r.env().green().host())).toList();

    // a Blue that does not answer, or answers wrongly, has failed: waiting out the window would only lose time
    String unobserved = results.stream().anyMatch(c -> !c.passed()) ? "not observed: Blue failed " + String.join(", ",
        results.stream().filter(c -> !c.passed()).map(CheckResult::name).toList()) + " already"
        : r.window().isZero() || r.window().isNegative() ? "not observed: the observation window is " + Budget.format(r.window()) : null;
    PostSwitchWindow w = PostSwitchWindow.of(v, r.switchedAt(), r.window());
    if (unobserved == null && w.sampleTimes().isEmpty()) {
      unobserved = "not observed: the window of " + Budget.format(r.window()) + " ends before the first post-switch sample (+"
          + Budget.format(Duration.between(w.switchedAt(), w.firstSample())) + ": verification.scrapeInterval " + v.scrapeInterval()
          + " + routePropagation " + v.routePropagation() + ", then two scrapes)";
    }
    if (unobserved != null) {
      for (Metric m : metrics) results.add(record(CheckResult.inconclusive(m.name, null, 0, unobserved)));
      return results;
    }
    int observed = sampleAll(r.prometheus(), w, metrics);
    for (Metric m : metrics) {
      // a re-run after Green was scaled down: no pod can serve, and its series are gone with its pods
      boolean greenGone = m.check.on() == RunbookTables.CheckedSide.GREEN && r.greenPods() == 0 && m.failed == null && m.samples.isEmpty();
      results.add(record(greenGone ? CheckResult.pass(m.name, "no Green pod running (0 replicas): nothing can serve", m.threshold, m.millis)
          : judge(w, observed, m)));
    }
    return results;
  }

  /** A check of the plan over the window: its query on one side, and each sample taken. */
  private final class Metric {
    final RunbookTables.MetricCheck check;
    final String name;
    final String host;
    final String threshold;
    final List<PrometheusClient.Sample> samples = new ArrayList<>();
    /** Samples without a number that the check's noData counts as holding. */
    int heldWithoutData;
    final List<String> missing = new ArrayList<>();
    PrometheusClient.Sample failed;
    /** Why {@link #failed} failed when it had no number (noData: fail). */
    String failedWithoutData;
    long millis;

    Metric(RunbookTables.MetricCheck check, String host) {
      this.check = check;
      this.name = check.name();
      this.host = host;
      this.threshold = check.describe() + " at every sample";
    }

    void sample(PrometheusClient prometheus, PostSwitchWindow w, Instant t) {
      long start = System.nanoTime();
      String q = v.query(check.query(), host, w.rateAt(t));
      try {
        Optional<Double> value = prometheus.read(q, t);
        if (value.isEmpty() || value.get().isNaN()) {
          String none = (value.isEmpty() ? "no series" : "NaN (nothing counted)") + " at +" + Budget.format(Duration.between(w.switchedAt(), t));
          switch (check.noData()) {
            case INCONCLUSIVE -> missing.add(none);
            case PASS -> heldWithoutData++;
            case FAIL -> {
              if (failed == null) {
                failed = new PrometheusClient.Sample(t, Double.NaN);
                failedWithoutData = none + " (noData: fail)";
              }
            }
          }
          return;
        }
        PrometheusClient.Sample s = new PrometheusClient.Sample(t, value.get());
        samples.add(s);
        if (failed == null && !check.holds(s.value())) failed = s;
      } catch (PrometheusClient.Unanswered e) {
        missing.add(e.getMessage());
      } finally {
        millis += (System.nanoTime() - start) / 1_000_000;
      }
    }

    /** Samples that count: those with a number, and those without one that the check's noData holds. */
    int counted() {
      return samples.size() + heldWithoutData;
    }
  }

  /** Every sample with data must hold, and enough of the {@code expected} samples must have data. */
  private CheckResult judge(PostSwitchWindow w, int expected, Metric m) {
    String range = expected == 0 ? "no sample taken" : w.describe(w.sampleTimes().get(0), w.sampleTimes().get(expected - 1));
    long required = Math.max(1, (long) Math.floor(v.minSampleCoverage() * expected));
    if (m.failedWithoutData != null) {
      return CheckResult.fail(m.name, m.failedWithoutData, m.threshold, m.millis, missingNote(m));
    }
    if (m.failed != null) {
      return CheckResult.fail(m.name, String.format(java.util.Locale.ROOT, "%.3f at +%s (%d samples, %s; rate windows from +%s)", m.failed.value(),
          Budget.format(Duration.between(w.switchedAt(), m.failed.at())), m.counted(), range,
          Budget.format(Duration.between(w.switchedAt(), w.evidenceFrom()))), m.threshold, m.millis, missingNote(m));
    }
    if (m.counted() < required) {
      return CheckResult.inconclusive(m.name, m.threshold, m.millis, "only " + m.counted() + " of the " + expected
          + " samples after the switch had data (" + range + "; at least " + required + " needed, verification.minSampleCoverage "
          + v.minSampleCoverage() + ")" + (m.missing.isEmpty() ? "" : ": " + m.missing.get(m.missing.size() - 1)));
    }
    String held = m.heldWithoutData == 0 ? "" : ", " + m.heldWithoutData + " without a number (noData: pass)";
    String measured = m.samples.isEmpty() ? "no number in " + m.counted() + " samples (noData: pass), " + range
        : String.format(java.util.Locale.ROOT, "%.3f worst of %d samples%s, %s", m.check.worst(m.samples.stream().mapToDouble(PrometheusClient.Sample::value)),
            m.samples.size(), held, range);
    return new CheckResult(m.name, CheckResult.Status.pass, measured, m.threshold, m.millis, missingNote(m));
  }

  private static String missingNote(Metric m) {
    return m.missing.isEmpty() ? "" : m.missing.size() + " sample(s) without data, e.g. " + m.missing.get(0);
  }

  /**
   * Waits through the window, sampling every metric at each sample time; a failing sample ends the wait at once
   * (Green is then left running). Returns how many sample times were taken.
   */
  private int sampleAll(PrometheusClient prometheus, PostSwitchWindow w, List<Metric> metrics) {
    List<Instant> times = w.sampleTimes();
    int taken = 0;
    progress.say("  observing Blue until +" + Budget.format(Duration.between(w.switchedAt(), w.end())) + " after the switch (" + time.stamp(w.end())
        + "), on data from +" + Budget.format(Duration.between(w.switchedAt(), w.evidenceFrom())) + " on, " + times.size() + (times.size() == 1 ? " sample" : " samples"));
    Instant lastSaid = Instant.now();
    for (Instant t : times) {
      if (!sleepUntil(t.plus(INGESTION_LAG))) break;
      for (Metric m : metrics) m.sample(prometheus, w, t);
      taken++;
      if (metrics.stream().anyMatch(m -> m.failed != null)) {
        progress.say("  observing Blue: stopped at +" + Budget.format(Duration.between(w.switchedAt(), t)) + ", "
            + metrics.stream().filter(m -> m.failed != null).map(m -> m.name).findFirst().orElse("") + " failed");
        return taken;
      }
      if (Duration.between(lastSaid, Instant.now()).compareTo(PROGRESS_EVERY) >= 0 && t.isBefore(w.end())) {
        lastSaid = Instant.now();
        StringBuilder now = new StringBuilder();
        for (Metric m : metrics) {
          var last = m.samples.isEmpty() ? null : m.samples.get(m.samples.size() - 1);
          now.append(now.length() == 0 ? "" : ", ").append(m.name).append(' ').append(last == null || !last.at().equals(t) ? "no data"
              : String.format(java.util.Locale.ROOT, "%.3f", last.value()));
        }
        progress.say("  observing Blue: +" + Budget.format(Duration.between(w.switchedAt(), t)) + " of +"
            + Budget.format(Duration.between(w.switchedAt(), w.end())) + ": " + now);
      }
    }
    return taken;
  }

  private void probeHealth(HttpProbe probe, Request r, List<CheckResult> results) {
    URI url = r.baseUrl().resolve(v.healthPath());
    long t = System.nanoTime();
    try {
      HttpProbe.Answer a = probe.send("GET", url, java.util.Map.of(), null);
      results.add(record(a.status() == 200 ? CheckResult.pass("Blue responds (" + v.healthPath() + ")", "HTTP " + a.status(), "HTTP 200", a.millis())
          : CheckResult.fail("Blue responds (" + v.healthPath() + ")", "HTTP " + a.status(), "HTTP 200", a.millis(), "")));
      String version = a.field(v.versionField());
      String name = VERSION_CHECK;
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
      results.add(record(CheckResult.inconclusive(VERSION_CHECK, r.expectedVersion(), ms, "no health answer")));
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

  /** False when interrupted: the samples so far are judged. */
  private static boolean sleepUntil(Instant t) {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms <= 0) return true;
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private CheckResult record(CheckResult r) {
    return Checks.journal(journal, SUITE, r);
  }

  static String reason(IOException e) {
    return e instanceof java.net.http.HttpTimeoutException ? "timed out" : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
