package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables.CapabilityWindow;

/** What a release engineer asks first: where does traffic go, what runs, which §1.2 window applies. */
public record ClusterStatus(String environment, String virtualService, List<String> routes, Side blue, Side green,
    Duration sinceGreenDeployed, CapabilityWindow window) {

  /** Annotation that records when a Deployment was rolled out, if the pipeline sets it. */
  public static final String DEPLOYED_AT = "lms-rollback/deployed-at";

  public record Side(String deployment, List<String> images, int ready, int desired) {
    static Side of(Deployment d) {
      List<String> images = d.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getImage()).toList();
      return new Side(d.getMetadata().getName(), images, ClusterSession.readyReplicas(d), ClusterSession.replicas(d));
    }
  }

  public static ClusterStatus read(ClusterSession cluster, Plan plan, String environment) {
    Environment env = plan.environment(environment);
    RouteTable routes = RouteTable.of(cluster.virtualService(env), env);
    Deployment blue = cluster.deployment(env.namespace(), env.blue().deployment());
    Deployment green = cluster.deployment(env.namespace(), env.green().deployment());
    Duration age = Duration.between(deployedAt(green), Instant.now());
    return new ClusterStatus(environment, env.namespace() + "/" + env.virtualService(), routes.describe(), Side.of(blue), Side.of(green),
        age, plan.capabilityWindow(age));
  }

  /** The deploy time annotation if the pipeline set one, else when the Deployment was created. */
  public static Instant deployedAt(Deployment d) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String at = annotations == null ? null : annotations.get(DEPLOYED_AT);
    return Instant.parse(at != null ? at : d.getMetadata().getCreationTimestamp());
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("environment", environment);
    m.put("virtualService", virtualService);
    m.put("routes", routes);
    m.put("blue", blue);
    m.put("green", green);
    m.put("secondsSinceGreenDeployed", sinceGreenDeployed.toSeconds());
    m.put("capabilityWindow", Map.of("method", window.method(), "complexity", window.complexity()));
    return m;
  }

  public List<String> describe() {
    return List.of(
        "environment      " + environment,
        "VirtualService   " + virtualService,
        "routes           " + String.join("; ", routes),
        String.format("Blue             %s %s ready %d/%d", blue.deployment(), blue.images(), blue.ready(), blue.desired()),
        String.format("Green            %s %s ready %d/%d", green.deployment(), green.images(), green.ready(), green.desired()),
        String.format("Green deployed   %dh%02dm ago", sinceGreenDeployed.toHours(), sinceGreenDeployed.toMinutesPart()),
        "capability (§1.2) " + window.method() + " — complexity " + window.complexity());
  }
}
