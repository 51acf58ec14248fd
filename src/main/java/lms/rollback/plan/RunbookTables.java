package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The runbook's tables that are data for the people and the report rather than for the cluster. */
public final class RunbookTables {
  private RunbookTables() {}

  /** §1.2: which rollback method applies, by time since Green was deployed; no "to" is open-ended. */
  public record CapabilityWindow(
      @JsonProperty(required = true) Budget from,
      Budget to,
      @JsonProperty(required = true) String method,
      @JsonProperty(required = true) String complexity,
      CapabilityRule requires,
      Scenario.Step review) {
    public CapabilityWindow {
      requires = requires == null ? CapabilityRule.NONE : requires;
    }

    /** "4h-24h", "24h+". */
    public String span() {
      return from.text() + (to == null ? "+" : "-" + to.text());
    }
  }

  /** §3.3, in order: a role of the plan, when it is called, and for which triggers it is paged. */
  public record Contact(
      @JsonProperty(required = true) Integer order,
      @JsonProperty(required = true) String role,
      @JsonProperty(required = true) String when,
      @JsonProperty(required = true) Page page) {}

  /** Paged for every trigger, for triggers of these types, or for triggers with these concerns. */
  public record Page(Boolean always, List<TriggerType> types, List<Concern> concerns) {
    public Page {
      always = Boolean.TRUE.equals(always);
      types = types == null ? List.of() : List.copyOf(types);
      concerns = concerns == null ? List.of() : List.copyOf(concerns);
    }

    public boolean pages(TriggerType type, java.util.Set<Concern> of) {
      return always || types.contains(type) || concerns.stream().anyMatch(of::contains);
    }

    /** Why a role is paged, in the plan's words. */
    public String why(TriggerType type, java.util.Set<Concern> of) {
      if (always) return "every trigger";
      if (types.contains(type)) return type.key() + " trigger";
      return concerns.stream().filter(of::contains).map(Concern::key).findFirst().orElse("-") + " issue";
    }
  }

  /** §4.1. */
  public record Checklist(@JsonProperty(required = true) Budget budget, @JsonProperty(required = true) List<Item> items) {
    /** §4.1 #4, "Pause any pending transactions": the item a scenario that changes the database waits for. */
    public static final int PAUSE_TRANSACTIONS = 4;

    /** The pause item as the plan gives it (its role and budget), or the runbook's own when the plan leaves it out. */
    public Item pauseItem() {
      return items.stream().filter(i -> i.step() == PAUSE_TRANSACTIONS).findFirst()
          .orElse(new Item(PAUSE_TRANSACTIONS, "Pause any pending transactions", "DBA", null, null));
    }

    /**
     * {@code role}: the plan's role whose people confirm the item where the engine cannot do it (the DBA pauses pending
     * transactions), told when the run waits for it; {@code budget}: how long they have, a step of its own.
     */
    public record Item(
        @JsonProperty(required = true) Integer step,
        @JsonProperty(required = true) String action,
        @JsonProperty(required = true) String owner,
        String role,
        Budget budget) {}
  }

  /** §4.2 step 2: the probes of Blue and the Prometheus queries behind verification and the triggers. */
  public record Verification(
      @JsonProperty(required = true) String healthPath,
      @JsonProperty(required = true) String versionField,
      @JsonProperty(required = true) String statusPath,
      @JsonProperty(required = true) String databaseField,
      @JsonProperty(required = true) String databaseOk,
      @JsonProperty(required = true) Budget observationWindow,
      @JsonProperty(required = true) Budget evaluationStep,
      @JsonProperty(required = true) Budget requestTimeout,
      @JsonProperty(required = true) Budget latencyBaseline,
      @JsonProperty(required = true) Budget rateWindow,
      @JsonProperty(required = true) Map<String, String> queries,
      /** The Prometheus checks of Blue's observation window, in the order they are reported. */
      @JsonProperty(required = true) List<MetricCheck> checks,
      /** The share of the window's samples (one per evaluationStep) that must be there; fewer is inconclusive. */
      Double minSampleCoverage,
      /** A line of Blue's log that is an error (§4.2 step 1: "no new errors in Blue logs"), as a Java regex. */
      String errorLogPattern,
      /** How often Prometheus scrapes the LMS (its scrape_config): a rate needs two scrapes, a change shows one scrape late. */
      Budget scrapeInterval,
      /** How long a VirtualService change takes to reach every sidecar (Istio's push), with the requests then in flight. */
      Budget routePropagation,
      /**
       * For the triggers: what a query's answer means when it has no number (NaN: 0/0, no requests in the window; or no
       * series at all) while the route sends Green traffic. A query not named here has no value then: its sample is
       * missing. A check of {@link #checks} says this itself ({@link MetricCheck#noData}).
       */
      Map<String, Double> noData) {
    public static final double DEFAULT_MIN_SAMPLE_COVERAGE = 0.8;
    public static final String DEFAULT_ERROR_LOG_PATTERN = "\\b(ERROR|FATAL)\\b";
    public static final Budget DEFAULT_SCRAPE_INTERVAL = Budget.parse("15s");
    public static final Budget DEFAULT_ROUTE_PROPAGATION = Budget.parse("5s");
    /** The queries of the report's Impact (§8.2): every request of $service over $range, and the errors (5xx) among them. */
    public static final String REQUESTS_SERVED = "requestsServed";
    public static final String ERRORS_SERVED = "errorsServed";

    public Verification {
      queries = Map.copyOf(queries);
      checks = List.copyOf(checks);
      if (minSampleCoverage == null) minSampleCoverage = DEFAULT_MIN_SAMPLE_COVERAGE;
      if (errorLogPattern == null || errorLogPattern.isBlank()) errorLogPattern = DEFAULT_ERROR_LOG_PATTERN;
      if (scrapeInterval == null) scrapeInterval = DEFAULT_SCRAPE_INTERVAL;
      if (routePropagation == null) routePropagation = DEFAULT_ROUTE_PROPAGATION;
      noData = noData == null ? Map.of() : Map.copyOf(noData);
    }

    /** The named query for one side, with $service and $rate filled in. */
    public String query(String name, String service) {
      return query(name, service, rateWindow.limit());
    }

    /** The named query for one side over a rate window of {@code rate} (at least a second). */
    public String query(String name, String service, java.time.Duration rate) {
      String q = queries.get(name);
      if (q == null) throw new IllegalArgumentException("no query '" + name + "' in verification.queries");
      long ms = Math.max(1000, rate.toMillis());
      return q.replace("$service", service).replace("$rate", ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms");
    }

    /**
     * The named query for one side counted over {@code range} ($range, in whole seconds, rounded up): what the side
     * served in a span that ends where the query is evaluated (from Green's deployment to the switch, say).
     */
    public String queryOver(String name, String service, java.time.Duration range) {
      long seconds = Math.max(1, (range.toMillis() + 999) / 1000);
      return query(name, service).replace("$range", seconds + "s");
    }

    /** After the switch, from when on a request counted by Prometheus is one the new routes sent. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.time.Duration settle() {
      return scrapeInterval.limit().plus(routePropagation.limit());
    }

    /** How long after the switch the first sample can hold a post-switch rate: settling, then two scrapes. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.time.Duration firstEvidence() {
      return settle().plus(scrapeInterval.limit().multipliedBy(2));
    }

    /** The same verification, measured by a Prometheus that scrapes every {@code scrape}, sampled as often (the sandbox's stand-in). */
    public Verification scrapedEvery(Budget scrape, Budget propagation, Budget window) {
      return new Verification(healthPath, versionField, statusPath, databaseField, databaseOk, window, scrape, requestTimeout,
          latencyBaseline, rateWindow, queries, checks, minSampleCoverage, errorLogPattern, scrape, propagation, noData);
    }
  }

  /**
   * §4.2 step 2: one Prometheus check of Blue's observation window, as argo-rollouts' AnalysisTemplate metric: a query of
   * verification.queries on one side, held against {@code threshold} at every sample. {@code unit} is shown beside the
   * numbers; {@code noData} is what a sample without a number (no series, or NaN: 0/0, nothing counted) means.
   */
  public record MetricCheck(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String query,
      @JsonProperty(required = true) CheckedSide on,
      @JsonProperty(required = true) Comparison comparison,
      @JsonProperty(required = true) Double threshold,
      String unit,
      NoData noData) {
    public MetricCheck {
      unit = unit == null ? "" : unit;
      noData = noData == null ? NoData.INCONCLUSIVE : noData;
    }

    public boolean holds(double value) {
      return comparison.holds(value, threshold);
    }

    /** "<= 1 %", "= 0 req/s". */
    public String describe() {
      return comparison.symbol() + " " + number(threshold) + (unit.isBlank() ? "" : " " + unit);
    }

    /** Of {@code values}, the one furthest on the wrong side of the threshold: what the report shows as the worst. */
    public double worst(java.util.stream.DoubleStream values) {
      return switch (comparison) {
        case AT_MOST, BELOW -> values.max().orElse(Double.NaN);
        case AT_LEAST, ABOVE -> values.min().orElse(Double.NaN);
        case EQUALS -> values.boxed().max(java.util.Comparator.comparingDouble(x -> Math.abs(x - threshold))).orElse(Double.NaN);
      };
    }

    /** 1.0 as "1", 0.25 as "0.25". */
    public static String number(double x) {
      return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
  }

  /** The side a check's query is asked about: its $service is that side's host. */
  public enum CheckedSide {
    @JsonProperty("blue") BLUE,
    @JsonProperty("green") GREEN;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a sample is held against a check's threshold. */
  public enum Comparison {
    @JsonProperty("atMost") AT_MOST("<="),
    @JsonProperty("below") BELOW("<"),
    @JsonProperty("atLeast") AT_LEAST(">="),
    @JsonProperty("above") ABOVE(">"),
    @JsonProperty("equals") EQUALS("=");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean holds(double value, double threshold) {
      return switch (this) {
        case AT_MOST -> value <= threshold;
        case BELOW -> value < threshold;
        case AT_LEAST -> value >= threshold;
        case ABOVE -> value > threshold;
        case EQUALS -> value == threshold;
      };
    }
  }

  /**
   * What a sample without a number means for a check: {@code inconclusive} — no evidence, the sample is missing (too few
   * samples with data make the check inconclusive, which fails); {@code pass} — it holds (nothing counted is fine);
   * {@code fail} — the check fails at that sample.
   */
  public enum NoData {
    @JsonProperty("pass") PASS,
    @JsonProperty("fail") FAIL,
    @JsonProperty("inconclusive") INCONCLUSIVE;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * §4.2 step 5; ${env:NAME} in headers and body is filled from the environment at run time. A check is judged on its
   * status and on its answer: {@code expectFields} maps a dotted path in the JSON answer to the text it must hold,
   * {@code expectPresent} lists paths that must be there. A check whose method could change production says why its
   * request does not ({@code readOnly}); {@code booking}, when the plan gives one, replaces the request by a real one
   * made as a test account and cancelled again.
   */
  public record SmokeCheck(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String method,
      @JsonProperty(required = true) String path,
      @JsonProperty(required = true) Integer expectStatus,
      Map<String, String> headers,
      String body,
      Map<String, String> expectFields,
      List<String> expectPresent,
      String readOnly,
      Booking booking) {
    /** The methods a check may use; the read-only ones by HTTP's own definition first. */
    public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");
    private static final List<String> SAFE_METHODS = List.of("GET", "HEAD");

    public SmokeCheck {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      expectFields = expectFields == null ? Map.of() : Map.copyOf(expectFields);
      expectPresent = expectPresent == null ? List.of() : List.copyOf(expectPresent);
    }

    /** A check judged on the status and these fields only: the ones the plan's tests write. */
    public SmokeCheck(String name, String method, String path, Integer expectStatus, Map<String, String> headers, String body,
        Map<String, String> expectFields) {
      this(name, method, path, expectStatus, headers, body, expectFields, null, null, null);
    }

    /** HTTP does not promise that a request of this method leaves the server as it was. */
    public static boolean mayChangeState(String method) {
      return !SAFE_METHODS.contains(method);
    }
  }

  /**
   * A smoke check's request made for real in production: as {@code testAccount} (whose headers replace the check's of
   * the same name), then undone by {@code cleanup}. Unset method and body: the check's.
   */
  public record Booking(
      TestAccount testAccount,
      String method,
      String path,
      Integer expectStatus,
      Map<String, String> expectFields,
      List<String> expectPresent,
      Cleanup cleanup) {
    public Booking {
      expectFields = expectFields == null ? Map.of() : Map.copyOf(expectFields);
      expectPresent = expectPresent == null ? List.of() : List.copyOf(expectPresent);
    }
  }

  /** An account of LMS whose leave requests are tests (not a person's); its credentials, as headers, from ${env:NAME}. */
  public record TestAccount(String name, Map<String, String> headers) {
    public TestAccount {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
  }

  /** The request that undoes a booking, sent as the test account; ${answer:PATH} in its path is a field of the booking's answer. */
  public record Cleanup(String method, String path, Integer expectStatus) {
    /** ${answer:PATH}: group 1 is the dotted path. */
    public static final java.util.regex.Pattern ANSWER_FIELD = java.util.regex.Pattern.compile("\\$\\{answer:([^}]+)}");
  }

  /** §6.1. */
  public record Communication(
      @JsonProperty(required = true) Budget at,
      /** "start", "end", or the action of the step after which it goes out. */
      @JsonProperty(required = true) String after,
      @JsonProperty(required = true) String message,
      @JsonProperty(required = true) String channel,
      @JsonProperty(required = true) String owner,
      @JsonProperty(required = true) String template,
      /**
       * For an email: a role of the plan whose addresses receive it instead of the channel's list (the executives, §5.4),
       * or {@value #PAGED}: everyone §3.3 pages for the run's trigger, and the automatic row's backup ({@link Plan#alertedRoles}).
       */
      String to) {
    /** The {@code to} of an automatic trigger's alert: whom §3.3 pages for that trigger, not one fixed role. */
    public static final String PAGED = "paged";
  }

  /** A channel of §6.1 and the environment variable that holds its address (webhook URL, email list). */
  public record Channel(@JsonProperty(required = true) ChannelKind kind, @JsonProperty(required = true) String addressEnv) {}

  public enum ChannelKind { webhook, email }

  /** §7.1 and §7.2: an action owed after the rollback, due relative to its end. */
  /**
   * §7: a follow-up with its owner and due time from the rollback's end. {@code doneWhen}: a journal entry type that
   * shows the engine did it ("logs.preserved"; "notify.sent:stakeholder-notification" for one message); else a person
   * ticks it ({@code lmsctl followups done}).
   */
  public record FollowUp(
      @JsonProperty(required = true) String action,
      @JsonProperty(required = true) String owner,
      /** After the rollback; null: not set by the plan (§7.3's "TBD"), the owner sets it. */
      Budget due,
      String doneWhen) {}

  /**
   * §9.1: a rollback test a release needs before production. A completed rehearsal run of one of {@code scenarios}
   * (not on production; on {@code environment} when the plan has it) counts; {@code sameRelease}: it tested this
   * release; {@code withinDays}: it ended that recently; {@code onlyWithMigrations}: needed only when the release
   * has database migrations.
   */
  public record Rehearsal(
      @JsonProperty(required = true) String test,
      @JsonProperty(required = true) String title,
      @JsonProperty(required = true) String environment,
      @JsonProperty(required = true) String frequency,
      @JsonProperty(required = true) String owner,
      @JsonProperty(required = true) List<String> scenarios,
      Boolean sameRelease,
      Integer withinDays,
      Boolean onlyWithMigrations) {
    public Rehearsal {
      scenarios = List.copyOf(scenarios);
      sameRelease = Boolean.TRUE.equals(sameRelease);
      onlyWithMigrations = Boolean.TRUE.equals(onlyWithMigrations);
    }

    /** The scenario a rehearsal of this test runs: the first the plan names, the smallest that exercises it. In the plan's JSON for Jenkins. */
    @JsonProperty(value = "scenario", access = JsonProperty.Access.READ_ONLY)
    public String scenario() {
      return scenarios.get(0);
    }
  }

  /**
   * §9.2: one line of the rehearsal scorecard. {@code scenarios}: the scenarios it scores (null: every scenario); an item
   * that measures what steps do scores only a scenario with one of them ({@link #STEPS_MEASURED}).
   */
  public record RehearsalItem(
      @JsonProperty(required = true) Integer id,
      @JsonProperty(required = true) String test,
      @JsonProperty(required = true) String expected,
      @JsonProperty(required = true) String measure,
      Budget limit,
      List<String> scenarios) {

    /** What an item may measure, and the steps whose work each scores (none: the run as a whole). */
    public static final Map<String, List<StepAction>> STEPS_MEASURED = measures();
    /** The measures that are a time, held against the item's limit. */
    public static final List<String> TIMED = List.of("switch-duration", "total-duration");

    private static Map<String, List<StepAction>> measures() {
      Map<String, List<StepAction>> m = new java.util.LinkedHashMap<>();
      m.put("switch-duration", List.of(StepAction.SWITCH_TRAFFIC));
      m.put("blue-checks", List.of(StepAction.VERIFY_BLUE));
      m.put("green-terminated", List.of(StepAction.STOP_GREEN));
      m.put("total-duration", List.of());
      // §5.4 is scored against its own target, not §1.1's 15 minutes
      m.put("scenario-target", List.of());
      // the smoke tests run in the step that ends a rollback: confirm, or scenario D's verify-restore
      m.put("smoke-checks", List.of(StepAction.CONFIRM, StepAction.VERIFY_RESTORE));
      m.put("database-restored", List.of(StepAction.RESTORE_DATABASE));
      m.put("restore-verified", List.of(StepAction.VERIFY_RESTORE));
      m.put("maintenance-off", List.of(StepAction.MAINTENANCE_ON));
      return java.util.Collections.unmodifiableMap(m);
    }

    public RehearsalItem {
      scenarios = scenarios == null ? null : List.copyOf(scenarios);
    }

    /** Whether the item belongs on {@code scenario}'s scorecard at all (its steps decide then whether it applies). */
    public boolean scores(String scenario) {
      return scenarios == null || scenarios.contains(scenario);
    }
  }
}
