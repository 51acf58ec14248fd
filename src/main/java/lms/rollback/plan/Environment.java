package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** One place LMS runs (production, staging): where its traffic is routed and what serves it. */
public record Environment(
    @JsonProperty(required = true) String namespace,
    @JsonProperty(required = true) String virtualService,
    @JsonProperty(required = true) Side blue,
    @JsonProperty(required = true) Side green,
    @JsonProperty(required = true) Weights rollbackWeights,
    @JsonProperty(required = true) String baseUrl,
    @JsonProperty(required = true) String prometheusUrl,
    Database database,
    /**
     * The fewest ready Blue replicas that may take all the traffic, even when Green serves with fewer (or is already
     * down); Blue needs the larger of this and Green's ready replicas. Absent: Green's ready replicas alone (at least 1).
     */
    Integer minBlueReadyReplicas,
    /** Where the VirtualService sends LMS traffic during maintenance (§5.4); absent: scenario D cannot run here. */
    String maintenanceHost,
    /**
     * The namespaces whose VirtualServices may route to Green by its qualified name (lms-green.production.svc...): stop-green
     * refuses while a VirtualService in any of them still sends Green a share. Absent: the environment's own namespace.
     */
    java.util.List<String> routeNamespaces) {

  public Environment {
    routeNamespaces = routeNamespaces == null ? (namespace == null ? java.util.List.of() : java.util.List.of(namespace))
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(routeNamespaces)); // a null entry is the validator's to name
  }

  /** Blue or Green: the Istio destination host, its Deployment, and the labels of its pods. */
  public record Side(
      @JsonProperty(required = true) String host,
      @JsonProperty(required = true) String deployment,
      @JsonProperty(required = true) Map<String, String> podLabels) {

    public Side {
      podLabels = Map.copyOf(podLabels);
    }

    /** "lms-blue" matches "lms-blue" and "lms-blue.production.svc.cluster.local". */
    public boolean isHost(String candidate) {
      return candidate != null && (candidate.equals(host) || candidate.startsWith(host + "."));
    }
  }

  /** Route weights after a rollback, in percent. */
  public record Weights(
      @JsonProperty(required = true) Integer blue,
      @JsonProperty(required = true) Integer green) {}

  /**
   * The environment's database: the variable holding its URL (never the URL itself), and where
   * alembic runs — {@code job}, Green's image in a Kubernetes Job (only it holds the downgrade
   * scripts of its own migrations), or {@code local}, a process in {@code migrations}.
   */
  public record Database(
      @JsonProperty(required = true) String urlEnv,
      Executor executor,
      /** Green's container whose image and environment the Job uses; absent: the first one. */
      String container,
      /** For the local executor: the directory holding alembic.ini. */
      String migrations) {
    public Database {
      if (executor == null) executor = Executor.job;
      if (migrations == null) migrations = ".";
    }
  }

  public enum Executor { job, local }
}
