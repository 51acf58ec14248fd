package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's Prometheus, measuring the way a real one does: each service's request counters
 * grow with the share of traffic the sandbox VirtualService sends it (as Istio pushes it, a moment
 * late), they are scraped every {@link #SCRAPE_INTERVAL}, and the plan's queries are answered
 * from those scrapes over their trailing windows — rate and increase with Prometheus' extrapolation, fewer than
 * two scrapes in a window is no series, 0/0 is NaN, histogram_quantile by linear interpolation in
 * the buckets. Ten minutes of history at the seeded weights are there from the start: Green
 * served and erred before anyone switched. Only for the sandbox; the tests run a real Prometheus.
 *
 * <p>A query is recognised as one of the plan's verification.queries by its text ($service and $rate
 * filled in), and answered with the series this stand-in keeps under that query's name ({@link #SERIES}).
 * Any other query — one the plan added, of a series the stand-in does not keep — is answered with an empty
 * vector, as a real Prometheus answers a query about a series it has never scraped; so the check that asked
 * gets what its plan says an empty answer means, never another query's number.
 */
public final class MetricsStandIn implements AutoCloseable {

  public static final double REQUESTS_PER_SECOND = 40;
  public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
  /** How late the stand-in's "sidecars" follow a VirtualService change (the plan's routePropagation must cover it). */
  public static final Duration PROPAGATION = Duration.ofMillis(500);
  static final double BLUE_ERROR_PERCENT = 0.3;
  static final double GREEN_ERROR_PERCENT = 12;
  static final double BLUE_LATENCY_SECONDS = 0.09;
  static final double GREEN_LATENCY_SECONDS = 0.8;
  static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  private static final Duration HISTORY = Duration.ofMinutes(10);
  private static final long TICK_MILLIS = 100;
    private static final Pattern RANGE = Pattern.compile("\\[(\\d+)(ms|s|m|h)]");
  private static final Pattern QUANTILE = Pattern.compile("histogram_quantile\\(\\s*([0-9.]+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What one service does: its error share and latency; {@code extraRps} arrives besides its routed share (a route the
   * switch does not own); {@code dbFailurePercent} of its database connection attempts fail.
   */
  public record Behaviour(double errorPercent, double latencySeconds, double extraRps, double dbFailurePercent) {
    public Behaviour(double errorPercent, double latencySeconds, double extraRps) {
      this(errorPercent, latencySeconds, extraRps, 0);
    }
  }

  /** The query names of the built-in plan whose series the stand-in keeps; a plan's query of another name is answered empty. */
  public static final List<String> SERIES = List.of("errorRatePercent", "successRatePercent", "p95Seconds", "requestRate", "dbFailurePercent",
      "criticalSecurityAlerts", "requestsServed", "errorsServed");
  private static final Pattern CONSTANT = Pattern.compile("\\s*vector\\(\\s*([0-9.eE+-]+)\\s*\\)\\s*");

  /** One of the plan's queries, as the text it becomes: the groups "service" and "rate" where $service and $rate were. */
  private record PlanQuery(String name, Pattern text) {
    static PlanQuery of(String name, String template) {
      StringBuilder regex = new StringBuilder();
      Matcher m = Pattern.compile("\\$(service|rate|range)").matcher(template);
      java.util.Set<String> seen = new java.util.HashSet<>();
      int from = 0;
      while (m.find()) {
        regex.append(Pattern.quote(template.substring(from, m.start())));
        String group = m.group(1);
        // the same placeholder stands for the same text wherever it appears
        regex.append(!seen.add(group) ? "\\k<" + group + ">" : group.equals("service") ? "(?<service>[^\"]*)" : "(?<" + group + ">\\d+(?:ms|s|m|h))");
        from = m.end();
      }
      regex.append(Pattern.quote(template.substring(from)));
      return new PlanQuery(name, Pattern.compile(regex.toString()));
    }
  }

  /** One scrape of a service's counters: ok and 5xx requests, DB attempts and failures, cumulative buckets and +Inf. */
  private record Scrape(long atMillis, double[] values) {}

  private static final int OK = 0;
  private static final int ERRORS = 1;
  private static final int DB_ATTEMPTS = 2;
  private static final int DB_FAILURES = 3;
  private static final int BUCKET0 = 4;
  private static final int SIZE = BUCKET0 + BUCKETS.length + 1;
  /** Not a counter: ok + 5xx, every request. */
  private static final int ALL = -1;

  private final HttpServer server;
  private final List<PlanQuery> planQueries;
  private final ToIntFunction<String> weightOf;
  private final List<String> hosts;
  private final Map<String, Behaviour> behaviour = new ConcurrentHashMap<>();
  private final Map<String, double[]> counters = new ConcurrentHashMap<>();
  private final Map<String, Deque<Scrape>> scrapes = new ConcurrentHashMap<>();
  private final Map<String, Deque<long[]>> weights = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "metrics-stand-in");
    t.setDaemon(true);
    return t;
  });

  /** {@code queries}: the plan's verification.queries, the ones it answers; {@code weightOf} gives a host's current share of the traffic in percent. */
  public MetricsStandIn(Map<String, String> queries, String blueHost, String greenHost, ToIntFunction<String> weightOf) throws IOException {
    this.planQueries = queries.entrySet().stream().map(e -> PlanQuery.of(e.getKey(), e.getValue())).toList();
    this.weightOf = weightOf;
    this.hosts = List.of(blueHost, greenHost);
    behaviour.put(blueHost, new Behaviour(BLUE_ERROR_PERCENT, BLUE_LATENCY_SECONDS, 0));
    behaviour.put(greenHost, new Behaviour(GREEN_ERROR_PERCENT, GREEN_LATENCY_SECONDS, 0));
    long now = System.currentTimeMillis();
    for (String host : hosts) {
      counters.put(host, new double[SIZE]);
      scrapes.put(host, new ArrayDeque<>());
      weights.put(host, new ArrayDeque<>());
      weights.get(host).add(new long[] {now - HISTORY.toMillis(), weightOf.applyAsInt(host)});
    }
    backfill(now);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/api/v1/", this::handle);
    server.start();
    ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** Changes what {@code host} does from now on (a test's Blue that errs, a Green another route still feeds). */
  public MetricsStandIn behave(String host, Behaviour b) {
    behaviour.put(host, b);
    return this;
  }

  private synchronized void backfill(long now) {
    for (long t = now - HISTORY.toMillis(); t <= now; t += TICK_MILLIS) {
      advance(t, TICK_MILLIS / 1000.0);
      if ((t - (now - HISTORY.toMillis())) % SCRAPE_INTERVAL.toMillis() == 0) scrape(t);
    }
  }

  private synchronized void tick() {
    long now = System.currentTimeMillis();
    for (String host : hosts) {
      Deque<long[]> w = weights.get(host);
      try {
        int current = weightOf.applyAsInt(host);
        if (w.getLast()[1] != current) w.add(new long[] {now, current});
      } catch (RuntimeException unreadable) {
        // the sandbox's API is going away: the last weights stay in force
      }
    }
    advance(now, TICK_MILLIS / 1000.0);
    Scrape last = scrapes.get(hosts.get(0)).peekLast();
    if (last == null || now - last.atMillis() >= SCRAPE_INTERVAL.toMillis()) scrape(now);
  }

  /** The share Istio's sidecars apply at {@code t}: the VirtualService's weight as it was {@link #PROPAGATION} earlier. */
  private long share(String host, long t) {
    long applied = 0;
    for (long[] w : weights.get(host)) if (w[0] <= t - PROPAGATION.toMillis()) applied = w[1];
    return applied;
  }

  private void advance(long t, double seconds) {
    for (String host : hosts) {
      Behaviour b = behaviour.get(host);
      double n = (REQUESTS_PER_SECOND * share(host, t) / 100.0 + b.extraRps()) * seconds;
      double[] c = counters.get(host);
      c[OK] += n * (1 - b.errorPercent() / 100);
      c[ERRORS] += n * b.errorPercent() / 100;
      c[DB_ATTEMPTS] += n;
      c[DB_FAILURES] += n * b.dbFailurePercent() / 100;
      for (int i = 0; i < BUCKETS.length; i++) if (b.latencySeconds() <= BUCKETS[i]) c[BUCKET0 + i] += n;
      c[SIZE - 1] += n;
    }
  }

  private void scrape(long t) {
    for (String host : hosts) {
      Deque<Scrape> d = scrapes.get(host);
      d.add(new Scrape(t, counters.get(host).clone()));
      while (!d.isEmpty() && d.peekFirst().atMillis() < t - HISTORY.toMillis() * 2) d.removeFirst();
    }
  }

  /**
   * The query's value at {@code at}: empty when Prometheus would return no series — a query that is none of the plan's,
   * or of a series the stand-in does not keep — and NaN where it would.
   */
  synchronized OptionalDouble value(String query, long at) {
    // a constant, such as the preflight's vector(1), is answered as PromQL does
    Matcher constant = CONSTANT.matcher(query);
    if (constant.matches()) return OptionalDouble.of(Double.parseDouble(constant.group(1)));
    for (PlanQuery known : planQueries) {
      Matcher m = known.text().matcher(query);
      if (m.matches()) return series(known, m, query, at);
    }
    return OptionalDouble.empty();
  }

  /** The series kept under the plan query's name, for the service and over the window the query names. */
  private OptionalDouble series(PlanQuery known, Matcher m, String query, long at) {
    // no security alert fires in the sandbox
    if (known.name().equals("criticalSecurityAlerts")) return OptionalDouble.of(0);
    if (!SERIES.contains(known.name())) return OptionalDouble.empty();
    String host = known.text().pattern().contains("(?<service>") ? m.group("service") : "";
    if (!scrapes.containsKey(host)) return OptionalDouble.empty();
    String pattern = known.text().pattern();
    Matcher r = RANGE.matcher(pattern.contains("(?<rate>") ? "[" + m.group("rate") + "]" : pattern.contains("(?<range>") ? "[" + m.group("range") + "]" : query);
    long window = r.find() ? millis(Long.parseLong(r.group(1)), r.group(2)) : 60_000;
    List<Scrape> in = new ArrayList<>();
    for (Scrape x : scrapes.get(host)) if (x.atMillis() > at - window && x.atMillis() <= at) in.add(x);
    boolean orZero = query.replace(" ", "").endsWith("orvector(0)");
    if (in.size() < 2) return orZero ? OptionalDouble.of(0) : OptionalDouble.empty();
    return switch (known.name()) {
      case "errorRatePercent" -> ratio(in, at, window, ERRORS, ALL);
      case "successRatePercent" -> ratio(in, at, window, OK, ALL);
      case "dbFailurePercent" -> ratio(in, at, window, DB_FAILURES, DB_ATTEMPTS);
      case "p95Seconds" -> {
        Matcher q = QUANTILE.matcher(query);
        yield quantile(q.find() ? Double.parseDouble(q.group(1)) : 0.95, in, at, window);
      }
      case "requestRate" -> OptionalDouble.of(rate(in, at, window, OK) + rate(in, at, window, ERRORS));
      // the report's count of what a side served over [$range]: Prometheus' increase is its extrapolated rate times the range
      case "requestsServed" -> OptionalDouble.of((rate(in, at, window, OK) + rate(in, at, window, ERRORS)) * window / 1000.0);
      case "errorsServed" -> OptionalDouble.of(rate(in, at, window, ERRORS) * window / 1000.0);
      default -> OptionalDouble.empty();
    };
  }

  /** 100 * rate(numerator) / rate(denominator): NaN on 0/0, as PromQL. */
  private static OptionalDouble ratio(List<Scrape> in, long at, long window, int numerator, int denominator) {
    double all = denominator == ALL ? rate(in, at, window, OK) + rate(in, at, window, ERRORS) : rate(in, at, window, denominator);
    return OptionalDouble.of(100 * rate(in, at, window, numerator) / all);
  }

  private static OptionalDouble quantile(double q, List<Scrape> in, long at, long window) {
    double total = rate(in, at, window, SIZE - 1);
    if (total == 0) return OptionalDouble.of(Double.NaN);
    double rank = q * total;
    double below = 0;
    double lower = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      double cumulative = rate(in, at, window, BUCKET0 + i);
      if (cumulative >= rank) {
        double inBucket = cumulative - below;
        return OptionalDouble.of(inBucket == 0 ? BUCKETS[i] : lower + (BUCKETS[i] - lower) * (rank - below) / inBucket);
      }
      below = cumulative;
      lower = BUCKETS[i];
    }
    return OptionalDouble.of(BUCKETS[BUCKETS.length - 1]);
  }

  /** Prometheus' extrapolated rate of one counter over the scrapes of (at - window, at]. */
  static double rate(List<Scrape> in, long at, long window, int index) {
    Scrape first = in.get(0);
    Scrape last = in.get(in.size() - 1);
    double delta = last.values()[index] - first.values()[index];
    double sampled = (last.atMillis() - first.atMillis()) / 1000.0;
    if (sampled <= 0) return 0;
    double toStart = (first.atMillis() - (at - window)) / 1000.0;
    double toEnd = (at - last.atMillis()) / 1000.0;
    double average = sampled / (in.size() - 1);
    double threshold = average * 1.1;
    if (delta > 0 && first.values()[index] >= 0) toStart = Math.min(toStart, sampled * first.values()[index] / delta);
    double extrapolated = sampled + (toStart < threshold ? toStart : average / 2) + (toEnd < threshold ? toEnd : average / 2);
    return delta * extrapolated / sampled / (window / 1000.0);
  }

  private static long millis(long n, String unit) {
    return switch (unit) {
      case "ms" -> n;
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      default -> n * 3_600_000;
    };
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (closed.get()) {
        // gone: a connection the client kept alive must not still get answers
        ex.sendResponseHeaders(503, -1);
        return;
      }
      String q = ex.getRequestURI().getRawQuery();
      String query = SandboxApiServer.param(q, "query");
      String text = query == null ? "" : query;
      ObjectNode body = JSON.createObjectNode().put("status", "success");
      ObjectNode data = body.putObject("data");
      ArrayNode result = data.putArray("result");
      if (ex.getRequestURI().getPath().endsWith("query_range")) {
        data.put("resultType", "matrix");
        double start = Double.parseDouble(SandboxApiServer.param(q, "start"));
        double end = Double.parseDouble(SandboxApiServer.param(q, "end"));
        double step = Double.parseDouble(SandboxApiServer.param(q, "step").replace("s", ""));
        ArrayNode values = JSON.createArrayNode();
        for (double t = start; t <= end + 1e-9; t += step) {
          OptionalDouble v = value(text, Math.round(t * 1000));
          if (v.isPresent()) values.addArray().add(t).add(format(v.getAsDouble()));
        }
        if (!values.isEmpty()) {
          ObjectNode series = result.addObject();
          series.putObject("metric");
          series.set("values", values);
        }
      } else {
        data.put("resultType", "vector");
        String time = SandboxApiServer.param(q, "time");
        double at = time == null ? System.currentTimeMillis() / 1000.0 : Double.parseDouble(time);
        OptionalDouble v = value(text, Math.round(at * 1000));
        if (v.isPresent()) {
          ObjectNode sample = result.addObject();
          sample.putObject("metric");
          sample.putArray("value").add(at).add(format(v.getAsDouble()));
        }
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
    }
  }

  private static String format(double v) {
    return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : String.valueOf(v);
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    ticker.shutdownNow();
    server.stop(0);
  }
}
