package lms.rollback.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import lms.rollback.plan.RunbookTables.Verification;

/**
 * §8.2 Impact, measured: how many requests (and how many errors) Green served from its deployment to the switch, as
 * Prometheus counted them with the plan's queries. Requests, not users: Prometheus counts requests, and one person's
 * afternoon is hundreds of them. What cannot be measured says why — never a 0 nobody counted.
 */
public final class ServedRequests {
  private ServedRequests() {}

  private static final String REQUESTS = Verification.REQUESTS_SERVED;
  private static final String ERRORS = Verification.ERRORS_SERVED;

  /**
   * One measurement: {@code requests} and {@code errors} as counted, or null with {@code notMeasured} saying why. The
   * queries are the ones sent (their $service and $range filled in), so that a reader can run them again.
   */
  public record Measurement(String service, Instant from, Instant to, Long requests, Long errors, String requestsQuery, String errorsQuery,
      String notMeasured) {

    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("service", service);
      if (from != null) m.put("from", from.toString());
      if (to != null) m.put("to", to.toString());
      if (requests != null) m.put("requests", requests);
      if (errors != null) m.put("errors", errors);
      if (requestsQuery != null) m.put("requestsQuery", requestsQuery);
      if (errorsQuery != null) m.put("errorsQuery", errorsQuery);
      if (notMeasured != null) m.put("notMeasured", notMeasured);
      return m;
    }

    static Measurement not(String service, Instant from, Instant to, String requestsQuery, String errorsQuery, String why) {
      return new Measurement(service, from, to, null, null, requestsQuery, errorsQuery, why);
    }
  }

  /**
   * What {@code service} served over [{@code from}, {@code to}], read at {@code to}. {@code prometheus} null: the run has
   * none ({@code why} says so).
   */
  public static Measurement measure(Verification v, PrometheusClient prometheus, String why, String service, Instant from, Instant to) {
    if (from == null) return Measurement.not(service, null, to, null, null, "Green's deployment time is not known");
    if (to == null) return Measurement.not(service, from, null, null, null, "traffic was not switched");
    if (!to.isAfter(from)) return Measurement.not(service, from, to, null, null, "the switch is not after Green's deployment");
    for (String name : new String[] {REQUESTS, ERRORS}) {
      if (!v.queries().containsKey(name)) return Measurement.not(service, from, to, null, null, "the plan gives no verification.queries." + name);
    }
    Duration range = Duration.between(from, to);
    String requestsQuery = v.queryOver(REQUESTS, service, range);
    String errorsQuery = v.queryOver(ERRORS, service, range);
    if (prometheus == null) return Measurement.not(service, from, to, requestsQuery, errorsQuery, why);
    try {
      Optional<Double> requests = prometheus.instant(requestsQuery, to);
      if (requests.isEmpty()) {
        return Measurement.not(service, from, to, requestsQuery, errorsQuery, "Prometheus holds no series of " + service + " in that span");
      }
      Optional<Double> errors = prometheus.instant(errorsQuery, to);
      if (errors.isEmpty()) {
        return Measurement.not(service, from, to, requestsQuery, errorsQuery, "Prometheus holds no error series of " + service + " in that span");
      }
      return new Measurement(service, from, to, Math.round(requests.get()), Math.round(errors.get()), requestsQuery, errorsQuery, null);
    } catch (PrometheusClient.Unanswered e) {
      return Measurement.not(service, from, to, requestsQuery, errorsQuery, "Prometheus did not answer: " + e.getMessage());
    }
  }
}
