package lms.rollback.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRoute;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.api.networking.v1.VirtualService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.Environment;

/**
 * The HTTP routes of a VirtualService as seen from Blue and Green: for each route, the share of
 * traffic each side gets. Knows how to move a VirtualService to the rollback weights by changing
 * only weights (and, for a route that sends to Green alone, the destination host): every other
 * field of every route is left as it is, which a merge patch of {@code http} would not do.
 */
public final class RouteTable {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Istio's implied weight of a lone destination without one. */
  private static final int FULL = 100;

  /** One destination of one HTTP route. */
  public record Destination(int http, int route, String host, String subset, Integer weight, Side side) {
    int effectiveWeight(int destinationsInRoute) {
      return weight != null ? weight : destinationsInRoute == 1 ? FULL : 0;
    }
  }

  public enum Side { BLUE, GREEN, OTHER }

  /** Blue's and Green's share of one HTTP route, in percent. */
  /** An LMS route's weights; {@code other}: what it sends to destinations that are neither Blue nor Green. */
  public record Share(int http, String name, int blue, int green, int other) {}

  private final String name;
  private final List<List<Destination>> routes;

  private RouteTable(String name, List<List<Destination>> routes) {
    this.name = name;
    this.routes = routes;
  }

  public static RouteTable of(VirtualService vs, Environment env) {
    List<List<Destination>> routes = new ArrayList<>();
    List<HTTPRoute> http = vs.getSpec() == null || vs.getSpec().getHttp() == null ? List.of() : vs.getSpec().getHttp();
    for (int i = 0; i < http.size(); i++) {
      List<Destination> dests = new ArrayList<>();
      List<HTTPRouteDestination> route = http.get(i).getRoute() == null ? List.of() : http.get(i).getRoute();
      for (int j = 0; j < route.size(); j++) {
        var destination = route.get(j).getDestination();
        String host = destination == null ? null : destination.getHost();
        String subset = destination == null ? null : destination.getSubset();
        Side side = env.blue().isHost(host) ? Side.BLUE : env.green().isHost(host) ? Side.GREEN : Side.OTHER;
        dests.add(new Destination(i, j, host, subset, route.get(j).getWeight(), side));
      }
      routes.add(dests);
    }
    return new RouteTable(vs.getMetadata().getName(), routes);
  }

  /** The VirtualService's name. */
  public String name() {
    return name;
  }

  /** Routes that send to Blue or Green; routes for other services are none of our business. */
  public List<Share> shares() {
    List<Share> shares = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      List<Destination> dests = routes.get(i);
      int blue = 0;
      int green = 0;
      int other = 0;
      for (Destination d : dests) {
        if (d.side() == Side.BLUE) blue += d.effectiveWeight(dests.size());
        else if (d.side() == Side.GREEN) green += d.effectiveWeight(dests.size());
        else other += d.effectiveWeight(dests.size());
      }
      if (dests.stream().anyMatch(d -> d.side() != Side.OTHER)) shares.add(new Share(i, name + ".http[" + i + "]", blue, green, other));
    }
    return shares;
  }

  public boolean hasLmsRoutes() {
    return !shares().isEmpty();
  }

  /** True when every LMS route already has exactly the target weights. */
  public boolean matches(Environment.Weights target) {
    return hasLmsRoutes() && shares().stream().allMatch(s -> s.blue() == target.blue() && s.green() == target.green() && s.other() == 0);
  }

  public int maxGreenShare() {
    return shares().stream().mapToInt(Share::green).max().orElse(0);
  }

  /**
   * The RFC 6902 patch that moves every LMS route to {@code target}. Each change is preceded by a
   * "test" of the destination it changes, so a VirtualService that changed since it was read is
   * refused by the server instead of being patched at the wrong index.
   */
  public ArrayNode patchTo(Environment env, Environment.Weights target) {
    ArrayNode ops = JSON.createArrayNode();
    for (List<Destination> dests : routes) {
      boolean hasBlue = dests.stream().anyMatch(d -> d.side() == Side.BLUE);
      boolean blueGiven = false;
      boolean lms = dests.stream().anyMatch(d -> d.side() != Side.OTHER);
      for (Destination d : dests) {
        String at = "/spec/http/" + d.http() + "/route/" + d.route();
        if (d.side() == Side.OTHER) {
          // an LMS route's whole weight goes to Blue and Green: a third destination left at 20 would make it 120 %
          if (lms && d.effectiveWeight(dests.size()) != 0) {
            test(ops, at + "/destination/host", d.host());
            replace(ops, at + "/weight", 0, d.weight() != null);
          }
          continue;
        }
        Integer want;
        if (d.side() == Side.BLUE) {
          want = blueGiven ? 0 : target.blue();
          blueGiven = true;
        } else if (!hasBlue && !blueGiven && target.blue() > 0) {
          // A route that sends to Green only: point its first Green destination at Blue.
          test(ops, at + "/destination/host", d.host());
          replace(ops, at + "/destination/host", env.blue().host() + d.host().substring(env.green().host().length()), true);
          // a subset is defined by the host's DestinationRule: Green's subset means nothing for Blue
          if (d.subset() != null) ops.addObject().put("op", "remove").put("path", at + "/destination/subset");
          want = target.blue();
          blueGiven = true;
        } else {
          want = target.green();
        }
        if (d.weight() == null && dests.size() == 1 && want == FULL) continue;
        if (!want.equals(d.weight())) {
          test(ops, at + "/destination/host", d.host());
          replace(ops, at + "/weight", want, d.weight() != null);
        }
      }
    }
    return dedupeTests(ops);
  }

  private static void test(ArrayNode ops, String path, String value) {
    ops.addObject().put("op", "test").put("path", path).put("value", value);
  }

  private static void replace(ArrayNode ops, String path, Object value, boolean exists) {
    ObjectNode op = ops.addObject().put("op", exists ? "replace" : "add").put("path", path);
    if (value instanceof Integer i) op.put("value", i); else op.put("value", String.valueOf(value));
  }

  /** A host replaced then weighted would otherwise be tested against its old value. */
  private static ArrayNode dedupeTests(ArrayNode ops) {
    ArrayNode out = JSON.createArrayNode();
    Map<String, String> replaced = new LinkedHashMap<>();
    for (var op : ops) {
      String path = op.get("path").asText();
      if ("test".equals(op.get("op").asText()) && replaced.containsKey(path)) continue;
      if (!"test".equals(op.get("op").asText())) replaced.put(path, op.path("value").asText());
      out.add(op);
    }
    return out;
  }

  /** "http[0]: lms-blue 0%, lms-green 100%" for each LMS route, as a person reads it. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (List<Destination> dests : routes) {
      if (dests.stream().allMatch(d -> d.side() == Side.OTHER)) continue;
      StringBuilder sb = new StringBuilder("http[" + dests.get(0).http() + "]:");
      for (Destination d : dests) sb.append(' ').append(d.host()).append(' ').append(d.effectiveWeight(dests.size())).append('%').append(',');
      sb.setLength(sb.length() - 1);
      lines.add(sb.toString());
    }
    return lines;
  }

  /** The same as data, for JSON output and the journal. */
  public List<Map<String, Object>> asData() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Destination> dests : routes) {
      for (Destination d : dests) {
        if (d.side() == Side.OTHER) continue;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("http", d.http());
        m.put("route", d.route());
        m.put("host", d.host());
        m.put("weight", d.effectiveWeight(dests.size()));
        out.add(m);
      }
    }
    return out;
  }
}
