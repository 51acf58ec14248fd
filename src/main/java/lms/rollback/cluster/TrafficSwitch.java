package lms.rollback.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.core.VerificationException;
import lms.rollback.plan.Environment;

/**
 * §4.2 step 1: route all traffic to Blue. Checks Blue can take it, patches only the weights of every http, tls and tcp
 * route of the VirtualService (RFC 6902, so match, timeout, retries and every other field stay), reads it back
 * and verifies. Already switched is a recorded no-op; Green's Deployment is never touched.
 */
public final class TrafficSwitch {

  private final ClusterSession cluster;

  public TrafficSwitch(ClusterSession cluster) {
    this.cluster = cluster;
  }

  /** {@code forceReason} non-null switches even when Blue has too few ready replicas. */
  public record Request(String environment, Environment env, String forceReason) {}

  public record Result(String environment, String virtualService, boolean changed, List<String> before, List<String> after,
      BlueCapacity blue, boolean forced) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("environment", environment);
      m.put("virtualService", virtualService);
      m.put("changed", changed);
      m.put("before", before);
      m.put("after", after);
      if (blue != null) {
        Map<String, Object> capacity = new LinkedHashMap<>();
        capacity.put("ready", blue.ready());
        capacity.put("desired", blue.desired());
        capacity.put("required", blue.required());
        capacity.put("greenReady", blue.greenReady());
        capacity.put("planMinimum", blue.planMinimum());
        m.put("blue", capacity);
      }
      m.put("forced", forced);
      return m;
    }
  }

  public Result execute(Request request) {
    Environment env = request.env();
    String vsName = env.namespace() + "/" + env.virtualService();
    VirtualService vs = cluster.virtualService(env);
    RouteTable before = RouteTable.of(vs, env);
    if (!before.hasLmsRoutes()) {
      throw new ClusterException("VirtualService " + vsName + " has no http, tls or tcp route to " + env.blue().host() + " or "
          + env.green().host() + "; nothing was changed. Check the plan's blue.host and green.host");
    }
    cluster.journal().append(Event.SWITCH_BEFORE, Map.of("virtualService", vsName, "routes", before.asData()));

    if (before.onBlue(env)) {
      cluster.journal().append(Event.SWITCH_NOOP, Map.of("virtualService", vsName, "reason", "already at the rollback weights"));
      return new Result(request.environment(), vsName, false, before.describe(), before.describe(), null, false);
    }

    BlueCapacity capacity = BlueCapacity.of(cluster, env);
    boolean forced = false;
    if (!capacity.sufficient()) {
      if (request.forceReason() == null) {
        cluster.journal().append(Event.SWITCH_REFUSED, Map.of("virtualService", vsName, "reason", capacity.describe()));
        throw new ClusterException("Blue cannot take the traffic: " + capacity.describe()
            + ". Nothing was changed. Scale Blue up first, or pass --force --reason \"...\" to switch anyway");
      }
      forced = true;
      cluster.journal().append(Event.SWITCH_FORCED, Map.of("virtualService", vsName, "blue", capacity.describe(), "reason", request.forceReason()));
    }

    VirtualService[] known = {vs};
    cluster.retry().run("patch VirtualService " + vsName, () -> {
      // the first attempt patches what was just read; a retry (after a 409, say) reads what is there now
      VirtualService current = known[0] != null ? known[0] : cluster.virtualServiceResource(env).get();
      known[0] = null;
      if (current == null) throw new ClusterException("VirtualService " + vsName + " disappeared while switching");
      RouteTable table = RouteTable.of(current, env);
      if (table.onBlue(env)) return;
      ArrayNode ops = table.patchTo(env, env.rollbackWeights());
      Map<String, Object> args = Map.of("virtualService", vsName, "type", "json", "patch", ops);
      cluster.journal().append(Event.CLUSTER_COMMAND_START, Map.of("command", "patch virtualservice", "arguments", args));
      try {
        cluster.virtualServiceResource(env).patch(PatchContext.of(PatchType.JSON), ops.toString());
      } catch (RuntimeException e) {
        cluster.journalCommand("patch virtualservice", args, "failed: " + e.getMessage());
        throw e;
      }
      cluster.journalCommand("patch virtualservice", args, "ok");
    });

    RouteTable after = RouteTable.of(cluster.virtualService(env), env);
    cluster.journal().append(Event.SWITCH_AFTER, Map.of("virtualService", vsName, "routes", after.asData()));
    if (!after.onBlue(env)) {
      throw new VerificationException("VirtualService " + vsName + " reads back as " + String.join("; ", after.describe())
          + " instead of " + env.blue().host() + " " + env.rollbackWeights().blue() + "% / " + env.green().host() + " "
          + env.rollbackWeights().green() + "%; something else is changing it");
    }
    return new Result(request.environment(), vsName, true, before.describe(), after.describe(), capacity, forced);
  }
}
