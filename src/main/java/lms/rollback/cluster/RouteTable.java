package lms.rollback.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.istio.api.networking.v1.VirtualService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.plan.Environment;

/**
 * Every route of a VirtualService — {@code http}, {@code tls} and {@code tcp} alike, since a client of any of them is cut
 * off when Green stops — as seen from Blue and Green: for each route, the share of traffic each side gets. Knows how to
 * move a VirtualService to the rollback weights by changing only weights (and, for a route that sends to Green alone,
 * the destination host): every other field of every route is left as it is, which a merge patch would not do.
 * {@link #onBlue} is the one test of "traffic is where the rollback put it" for every caller.
 */
public final class RouteTable {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Istio's implied weight of a lone destination without one. */
  private static final int FULL = 100;
  /** The route lists of a VirtualService's spec, in the order Istio documents them. */
  public static final List<String> KINDS = List.of("http", "tls", "tcp");

  /** One destination of one route: {@code kind} is http, tls or tcp, {@code index} the route's place in that list. */
  public record Destination(String kind, int index, int route, String host, String subset, Integer weight, Side side) {
    int effectiveWeight(int destinationsInRoute) {
      return weight != null ? weight : destinationsInRoute == 1 ? FULL : 0;
    }
  }

  public enum Side { BLUE, GREEN, OTHER }

  /** An LMS route's weights in percent; {@code other}: what it sends to destinations that are neither Blue nor Green. */
  public record Share(String kind, int index, String name, int blue, int green, int other) {}

  private final String name;
  private final String namespace;
  private final List<List<Destination>> routes;

  private RouteTable(String name, String namespace, List<List<Destination>> routes) {
    this.name = name;
    this.namespace = namespace;
    this.routes = routes;
  }

  /** A plain destination: the shape http, tls and tcp routes share. */
  private record Target(String host, String subset, Integer weight) {}

  public static RouteTable of(VirtualService vs, Environment env) {
    var spec = vs.getSpec();
    Map<String, List<List<Target>>> byKind = new LinkedHashMap<>();
    byKind.put("http", spec == null || spec.getHttp() == null ? List.of() : spec.getHttp().stream()
        .map(r -> r.getRoute() == null ? List.<Target>of() : r.getRoute().stream().map(d -> target(d.getDestination(), d.getWeight())).toList()).toList());
    byKind.put("tls", spec == null || spec.getTls() == null ? List.of() : spec.getTls().stream()
        .map(r -> r.getRoute() == null ? List.<Target>of() : r.getRoute().stream().map(d -> target(d.getDestination(), d.getWeight())).toList()).toList());
    byKind.put("tcp", spec == null || spec.getTcp() == null ? List.of() : spec.getTcp().stream()
        .map(r -> r.getRoute() == null ? List.<Target>of() : r.getRoute().stream().map(d -> target(d.getDestination(), d.getWeight())).toList()).toList());
    String namespace = vs.getMetadata().getNamespace();
    List<List<Destination>> routes = new ArrayList<>();
    byKind.forEach((kind, list) -> {
      for (int i = 0; i < list.size(); i++) {
        List<Destination> dests = new ArrayList<>();
        for (int j = 0; j < list.get(i).size(); j++) {
          Target t = list.get(i).get(j);
          dests.add(new Destination(kind, i, j, t.host(), t.subset(), t.weight(), side(t.host(), namespace, env)));
        }
        routes.add(dests);
      }
    });
    return new RouteTable(vs.getMetadata().getName(), namespace, routes);
  }

  private static Target target(io.fabric8.istio.api.api.networking.v1alpha3.Destination d, Integer weight) {
    return new Target(d == null ? null : d.getHost(), d == null ? null : d.getSubset(), weight);
  }

  /**
   * Which side a host names. Istio resolves a short host in the VirtualService's own namespace: in another namespace
   * only a name qualified with the environment's namespace ("lms-green.production...") reaches the environment's Green.
   */
  private static Side side(String host, String vsNamespace, Environment env) {
    boolean home = vsNamespace == null || vsNamespace.equals(env.namespace());
    if (reaches(env.blue(), host, home, env.namespace())) return Side.BLUE;
    if (reaches(env.green(), host, home, env.namespace())) return Side.GREEN;
    return Side.OTHER;
  }

  private static boolean reaches(Environment.Side side, String host, boolean home, String namespace) {
    return home ? side.isHost(host) : host != null && (host.equals(side.host() + "." + namespace) || host.startsWith(side.host() + "." + namespace + "."));
  }

  /** The VirtualService's name. */
  public String name() {
    return name;
  }

  /** "namespace/name", as a person looks it up. */
  public String qualifiedName() {
    return namespace == null ? name : namespace + "/" + name;
  }

  /** Routes that send to Blue or Green; routes for other services are none of our business. */
  public List<Share> shares() {
    List<Share> shares = new ArrayList<>();
    for (List<Destination> dests : routes) {
      if (dests.stream().allMatch(d -> d.side() == Side.OTHER)) continue;
      int blue = 0;
      int green = 0;
      int other = 0;
      for (Destination d : dests) {
        if (d.side() == Side.BLUE) blue += d.effectiveWeight(dests.size());
        else if (d.side() == Side.GREEN) green += d.effectiveWeight(dests.size());
        else other += d.effectiveWeight(dests.size());
      }
      Destination first = dests.get(0);
      shares.add(new Share(first.kind(), first.index(), name + "." + first.kind() + "[" + first.index() + "]", blue, green, other));
    }
    return shares;
  }

  public boolean hasLmsRoutes() {
    return !shares().isEmpty();
  }

  /**
   * Traffic is where the rollback puts it: the VirtualService has LMS routes and every one of them — http, tls and
   * tcp — sends exactly the environment's rollback weights to Blue and Green and nothing elsewhere. The one predicate
   * the switch, its checks, stop-green's premise, confirm and the run's last look all use.
   */
  public boolean onBlue(Environment env) {
    Environment.Weights target = env.rollbackWeights();
    return hasLmsRoutes() && shares().stream().allMatch(s -> s.blue() == target.blue() && s.green() == target.green() && s.other() == 0);
  }

  /** The largest share any route of any kind sends to Green. */
  public int maxGreenShare() {
    return shares().stream().mapToInt(Share::green).max().orElse(0);
  }

  /** The routes that still send Green a share, as "lms-vs.tls[0] 100%". */
  public List<String> toGreen() {
    return shares().stream().filter(s -> s.green() > 0).map(s -> s.name() + " " + s.green() + "%").toList();
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
        String at = "/spec/" + d.kind() + "/" + d.index() + "/route/" + d.route();
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

  /** "http[0]: lms-blue 0%, lms-green 100%" (or tls[0], tcp[0]) for each LMS route, as a person reads it. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (List<Destination> dests : routes) {
      if (dests.stream().allMatch(d -> d.side() == Side.OTHER)) continue;
      StringBuilder sb = new StringBuilder(dests.get(0).kind() + "[" + dests.get(0).index() + "]:");
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
        m.put("kind", d.kind());
        m.put(d.kind(), d.index());
        m.put("route", d.route());
        m.put("host", d.host());
        m.put("weight", d.effectiveWeight(dests.size()));
        out.add(m);
      }
    }
    return out;
  }
}
