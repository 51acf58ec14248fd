package lms.rollback.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.istio.api.networking.v1.VirtualService;
import java.util.HashMap;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Environment;

/**
 * §5.4: LMS behind its maintenance page while the database is restored. Entering saves the LMS
 * routes in an annotation of the VirtualService and sends them to the maintenance host; leaving
 * puts them back already at the rollback weights (100 % Blue), in one write, so that no request
 * reaches Green on the way out.
 */
public final class MaintenanceMode {

  public static final String SAVED_ROUTES = "lms-rollback/routes-before-maintenance";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClusterSession cluster;

  public MaintenanceMode(ClusterSession cluster) {
    this.cluster = cluster;
  }

  public record Result(boolean changed, java.util.List<String> routes) {}

  public Result enter(Environment env) {
    String host = maintenanceHost(env);
    VirtualService vs = cluster.virtualService(env);
    String name = env.namespace() + "/" + env.virtualService();
    if (annotations(vs).containsKey(SAVED_ROUTES)) {
      cluster.journal().append(Event.MAINTENANCE_NOOP, Map.of("virtualService", name, "reason", "already in maintenance"));
      return new Result(false, describe(vs));
    }
    RouteTable table = RouteTable.of(vs, env);
    if (!table.hasLmsRoutes()) {
      throw new ClusterException("VirtualService " + name + " has no HTTP route to " + env.blue().host() + " or " + env.green().host()
          + "; nothing was changed");
    }
    ObjectNode json = JSON.valueToTree(vs);
    ArrayNode http = (ArrayNode) json.path("spec").path("http");
    String saved = http.toString();
    for (var share : table.shares()) {
      // the maintenance page is served over HTTP: tls and tcp routes stay where the rollback put them
      if (!share.kind().equals("http")) continue;
      ArrayNode route = JSON.createArrayNode();
      route.addObject().put("weight", 100).putObject("destination").put("host", host);
      ((ObjectNode) http.get(share.index())).set("route", route);
    }
    ((ObjectNode) json.with("metadata").with("annotations")).put(SAVED_ROUTES, saved);
    VirtualService updated = write(env, json, "enter maintenance");
    cluster.journal().append(Event.MAINTENANCE_ON, Map.of("virtualService", name, "host", host, "routes", describe(updated)));
    return new Result(true, describe(updated));
  }

  /** Puts the saved routes back at the rollback weights. */
  public Result leave(Environment env) {
    VirtualService vs = cluster.virtualService(env);
    String name = env.namespace() + "/" + env.virtualService();
    String saved = annotations(vs).get(SAVED_ROUTES);
    if (saved == null) {
      cluster.journal().append(Event.MAINTENANCE_NOOP, Map.of("virtualService", name, "reason", "not in maintenance"));
      return new Result(false, describe(vs));
    }
    ObjectNode json = JSON.valueToTree(vs);
    try {
      ((ObjectNode) json.path("spec")).set("http", JSON.readTree(saved));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ClusterException("annotation " + SAVED_ROUTES + " of " + name + " is not the routes lmsctl saved (" + e.getOriginalMessage()
          + "); put the routes back by hand and remove the annotation");
    }
    ((ObjectNode) json.path("metadata").path("annotations")).remove(SAVED_ROUTES);
    VirtualService restored = JSON.convertValue(json, VirtualService.class);
    JsonNode patch = RouteTable.of(restored, env).patchTo(env, env.rollbackWeights());
    JsonNode atBlue = io.fabric8.zjsonpatch.JsonPatch.apply(patch, json);
    VirtualService updated = write(env, (ObjectNode) atBlue, "leave maintenance");
    if (!RouteTable.of(updated, env).onBlue(env)) {
      throw new lms.rollback.core.VerificationException("VirtualService " + name + " reads back as " + String.join("; ", RouteTable.of(updated, env).describe())
          + " after leaving maintenance, not at the rollback weights");
    }
    cluster.journal().append(Event.MAINTENANCE_OFF, Map.of("virtualService", name, "routes", RouteTable.of(updated, env).asData()));
    return new Result(true, describe(updated));
  }

  public static boolean active(VirtualService vs) {
    return annotations(vs).containsKey(SAVED_ROUTES);
  }

  private VirtualService write(Environment env, ObjectNode json, String what) {
    VirtualService desired = JSON.convertValue(json, VirtualService.class);
    Map<String, Object> args = Map.of("virtualService", env.namespace() + "/" + env.virtualService(), "action", what);
    cluster.journal().append(Event.CLUSTER_COMMAND_START, Map.of("command", "update virtualservice", "arguments", args));
    // the resourceVersion read above makes a concurrent change a 409 instead of a lost update
    VirtualService updated = cluster.retry().call(what, () -> cluster.client().adapt(io.fabric8.istio.client.IstioClient.class).v1().virtualServices().inNamespace(env.namespace()).resource(desired).update());
    cluster.journalCommand("update virtualservice", args, "ok");
    return updated;
  }

  private static String maintenanceHost(Environment env) {
    if (env.maintenanceHost() == null || env.maintenanceHost().isBlank()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "the plan names no maintenanceHost for this environment; scenario D needs one "
          + "(environments.<env>.maintenanceHost, e.g. lms-maintenance)");
    }
    return env.maintenanceHost();
  }

  private static Map<String, String> annotations(VirtualService vs) {
    return vs.getMetadata().getAnnotations() == null ? new HashMap<>() : vs.getMetadata().getAnnotations();
  }

  private static java.util.List<String> describe(VirtualService vs) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    var http = vs.getSpec() == null || vs.getSpec().getHttp() == null ? java.util.List.<io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute>of() : vs.getSpec().getHttp();
    for (int i = 0; i < http.size(); i++) {
      StringBuilder sb = new StringBuilder("http[" + i + "]:");
      for (var r : http.get(i).getRoute() == null ? java.util.List.<io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination>of() : http.get(i).getRoute()) {
        sb.append(' ').append(r.getDestination() == null ? "?" : r.getDestination().getHost()).append(' ')
            .append(r.getWeight() == null ? 100 : r.getWeight()).append('%');
      }
      lines.add(sb.toString());
    }
    return lines;
  }
}
