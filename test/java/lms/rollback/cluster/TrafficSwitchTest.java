package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.istio.client.IstioClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.sandbox.StandInController;
import lms.rollback.testing.Ports;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.2 step 1 against the sandbox API server, written as Given / When / Then. */
class TrafficSwitchTest {

  @TempDir Path out;
  Sandbox sandbox;

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  private TrafficSwitch.Result switchToBlue() {
    return switchToBlue(sandbox.engine(), null);
  }

  private TrafficSwitch.Result switchToBlue(ClusterSession cluster, String forceReason) {
    return new TrafficSwitch(cluster).execute(new TrafficSwitch.Request(Sandbox.ENV, sandbox.env, forceReason));
  }

  /** The VirtualService with every weight taken out: what must not change. */
  private static JsonNode withoutWeights(JsonNode vs) {
    JsonNode copy = vs.deepCopy();
    ((ObjectNode) copy).remove("metadata");
    for (JsonNode http : copy.path("spec").path("http")) {
      for (JsonNode dest : http.path("route")) ((ObjectNode) dest).remove("weight");
    }
    return copy;
  }

  @Test
  void switchesAllRoutesToBlueAndReadsThemBack() {
    // Given production after a bad release: every route 0 % Blue / 100 % Green
    sandbox = Sandbox.start(out);

    // When
    TrafficSwitch.Result r = switchToBlue();

    // Then
    assertTrue(r.changed());
    assertEquals(java.util.List.of("http[0]: lms-blue 0%, lms-green 100%", "http[1]: lms-blue 0%, lms-green 100%"), r.before());
    assertEquals(java.util.List.of("http[0]: lms-blue 100%, lms-green 0%", "http[1]: lms-blue 100%, lms-green 0%"), r.after());
    JsonNode vs = sandbox.virtualServiceJson();
    for (JsonNode http : vs.path("spec").path("http")) {
      assertEquals(100, http.path("route").get(0).path("weight").asInt());
      assertEquals(0, http.path("route").get(1).path("weight").asInt());
    }
    assertTrue(sandbox.journalTypes().containsAll(java.util.List.of("switch.before", "cluster.command.start", "cluster.command", "switch.after")));
  }

  @Test
  void keepsEveryOtherFieldOfEveryRoute() {
    // Given a route with match, timeout, retries and headers (what the runbook's merge patch drops)
    sandbox = Sandbox.start(out);
    JsonNode before = sandbox.virtualServiceJson();
    assertFalse(before.path("spec").path("http").get(0).path("match").isMissingNode());

    // When
    switchToBlue();

    // Then only the weights differ
    JsonNode after = sandbox.virtualServiceJson();
    assertEquals(withoutWeights(before), withoutWeights(after));
    JsonNode api = after.path("spec").path("http").get(0);
    assertEquals("/api", api.path("match").get(0).path("uri").path("prefix").asText());
    assertEquals("10s", api.path("timeout").asText());
    assertEquals(3, api.path("retries").path("attempts").asInt());
    assertEquals("api", api.path("headers").path("response").path("set").path("x-lms-route").asText());
    assertEquals(8080, api.path("route").get(0).path("destination").path("port").path("number").asInt());
  }

  @Test
  void secondRunIsARecordedNoOpThatSendsNoPatch() {
    // Given traffic already switched
    sandbox = Sandbox.start(out);
    switchToBlue();
    String versionAfterFirst = sandbox.virtualService().getMetadata().getResourceVersion();
    sandbox.cluster.server().inject("PATCH", ".*", 500, 100);

    // When the same switch runs again (a PATCH would now fail)
    TrafficSwitch.Result again = switchToBlue();

    // Then nothing was changed and the no-op is journaled
    assertFalse(again.changed());
    assertEquals(versionAfterFirst, sandbox.virtualService().getMetadata().getResourceVersion());
    assertTrue(sandbox.journalTypes().contains("switch.noop"));
  }

  @Test
  void neverTouchesGreensDeployment() {
    sandbox = Sandbox.start(out);
    String greenVersion = sandbox.deployment("lms-green").getMetadata().getResourceVersion();

    switchToBlue();

    assertEquals(greenVersion, sandbox.deployment("lms-green").getMetadata().getResourceVersion());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void refusesWhenBlueIsNotReadyAndLeavesTheVirtualServiceAsItWas() {
    // Given Blue with 1 of 3 replicas ready
    sandbox = Sandbox.start(out, Duration.ZERO, Map.of(StandInController.READY_LIMIT, "1"));
    JsonNode before = sandbox.virtualServiceJson();

    // When
    ClusterException e = assertThrows(ClusterException.class, this::switchToBlue);

    // Then
    assertEquals(ExitCode.CLUSTER_STATE, e.exitCode());
    assertTrue(e.getMessage().contains("Blue cannot take the traffic: Deployment lms-blue has 1/3 ready replicas; needs 3 (Green serves with 3 ready; plan minimum 3)"), e.getMessage());
    assertTrue(e.getMessage().contains("--force"), e.getMessage());
    assertEquals(before, sandbox.virtualServiceJson());
    assertTrue(sandbox.journalTypes().contains("switch.refused"));
  }

  @Test
  void forceWithAReasonSwitchesAnUnreadyBlueAndJournalsWhy() {
    sandbox = Sandbox.start(out, Duration.ZERO, Map.of(StandInController.READY_LIMIT, "1"));

    TrafficSwitch.Result r = switchToBlue(sandbox.engine(), "Green corrupts leave balances; 1 Blue pod beats that");

    assertTrue(r.changed() && r.forced());
    var forced = sandbox.journal.read().stream().filter(en -> en.type().equals("switch.forced")).findFirst().orElseThrow();
    assertEquals("Green corrupts leave balances; 1 Blue pod beats that", forced.data().path("reason").asText());
  }

  @Test
  void missingVirtualServiceIsAClearError() {
    sandbox = Sandbox.start(out);
    sandbox.store().adapt(IstioClient.class).v1().virtualServices().inNamespace("production").withName("lms-vs").delete();

    ClusterException e = assertThrows(ClusterException.class, this::switchToBlue);

    assertTrue(e.getMessage().startsWith("VirtualService production/lms-vs not found"), e.getMessage());
  }

  @Test
  void serverErrorsAreRetriedWithBackoffUntilThePatchGoesThrough() {
    // Given an API server that answers the first two patches with 500
    sandbox = Sandbox.start(out);
    sandbox.cluster.server().inject("PATCH", ".*/virtualservices/lms-vs", 500, 2);

    // When
    TrafficSwitch.Result r = switchToBlue();

    // Then
    assertTrue(r.changed());
    assertEquals(2, sandbox.progress.stream().filter(l -> l.contains("failed (HTTP 500")).count(), sandbox.progress.toString());
  }

  @Test
  void conflictIsRetriedFromAFreshRead() {
    sandbox = Sandbox.start(out);
    sandbox.cluster.server().inject("PATCH", ".*/virtualservices/lms-vs", 409, 1);

    assertTrue(switchToBlue().changed());
    assertTrue(sandbox.progress.stream().anyMatch(l -> l.contains("HTTP 409")), sandbox.progress.toString());
  }

  @Test
  void persistentServerErrorGivesUpWithOneLineAndChangesNothing() {
    sandbox = Sandbox.start(out);
    JsonNode before = sandbox.virtualServiceJson();
    sandbox.cluster.server().inject("PATCH", ".*/virtualservices/lms-vs", 500, 100);

    ClusterException e = assertThrows(ClusterException.class, () -> switchToBlue(sandbox.engine(3), null));

    assertTrue(e.getMessage().startsWith("patch VirtualService production/lms-vs failed after 3 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertEquals(before, sandbox.virtualServiceJson());
  }

  @Test
  void unreachableApiServerIsRetriedThenNamed() throws Exception {
    // Given a kubeconfig pointing at a port nobody listens on
    sandbox = Sandbox.start(out);
    int closedPort = Ports.closed();
    Path kubeconfig = out.resolve("dead.yaml");
    java.nio.file.Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: dead, cluster: {server: "http://127.0.0.1:%d"}}]
        contexts: [{name: dead, context: {cluster: dead, user: dead}}]
        current-context: dead
        users: [{name: dead, user: {}}]
        """.formatted(closedPort));
    try (var client = new ClusterConnection(kubeconfig, null).open()) {
      ClusterSession dead = new ClusterSession(client, new ApiRetry(3, Duration.ofMillis(10), sandbox.progress::add), sandbox.journal, sandbox.progress::add);

      // When
      ClusterException e = assertThrows(ClusterException.class, () -> switchToBlue(dead, null));

      // Then
      assertEquals(ExitCode.CLUSTER_STATE, e.exitCode());
      assertTrue(e.getMessage().startsWith("read VirtualService production/lms-vs failed after 3 attempts"), e.getMessage());
      assertTrue(e.getMessage().contains("API server unreachable"), e.getMessage());
    }
  }

  @Test
  void aThirdDestinationInAnLmsRouteIsSetToZeroSoTheRouteAddsUpAndSaysSo() {
    // Given a route that also sends a fifth of its traffic to a third service
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          http:
          - route:
            - destination: {host: lms-blue}
              weight: 0
            - destination: {host: lms-green}
              weight: 80
            - destination: {host: lms-shadow}
              weight: 20
        """);

    TrafficSwitch.Result r = switchToBlue();

    JsonNode route = sandbox.virtualServiceJson().path("spec").path("http").get(0).path("route");
    assertEquals(List.of(100, 0, 0), List.of(route.get(0).path("weight").asInt(), route.get(1).path("weight").asInt(), route.get(2).path("weight").asInt()));
    assertEquals(List.of("http[0]: lms-blue 100%, lms-green 0%, lms-shadow 0%"), r.after());
  }

  @Test
  void routeThatSendsToGreenAloneIsPointedAtBlueKeepingTheFqdnForm() {
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          hosts: [lms.company.com]
          http:
          - name: green-only
            route:
            - destination: {host: lms-green.production.svc.cluster.local, subset: v3}
          - name: other-service
            route:
            - destination: {host: payroll}
        """);

    TrafficSwitch.Result r = switchToBlue();

    assertTrue(r.changed());
    JsonNode http = sandbox.virtualServiceJson().path("spec").path("http");
    assertEquals("lms-blue.production.svc.cluster.local", http.get(0).path("route").get(0).path("destination").path("host").asText());
    assertTrue(http.get(0).path("route").get(0).path("destination").path("subset").isMissingNode(), "Green's subset is not Blue's");
    assertEquals("payroll", http.get(1).path("route").get(0).path("destination").path("host").asText());
  }

  @Test
  void tlsAndTcpRoutesAreSwitchedWithTheHttpOnes() {
    // #38 item 4: a VirtualService whose tls and tcp routes send 100 % to Green, beside its http route
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          hosts: [lms.company.com]
          http:
          - route:
            - destination: {host: lms-blue}
              weight: 0
            - destination: {host: lms-green}
              weight: 100
          tls:
          - match: [{port: 443, sniHosts: [lms.company.com]}]
            route:
            - destination: {host: lms-green, port: {number: 443}}
          tcp:
          - match: [{port: 5432}]
            route:
            - destination: {host: lms-blue, port: {number: 5432}}
              weight: 0
            - destination: {host: lms-green, port: {number: 5432}}
              weight: 100
        """);

    TrafficSwitch.Result r = switchToBlue();

    // Then every kind of route reads back on Blue, each keeping its match and port
    assertTrue(r.changed());
    JsonNode spec = sandbox.virtualServiceJson().path("spec");
    JsonNode tls = spec.path("tls").get(0);
    assertEquals("lms-blue", tls.path("route").get(0).path("destination").path("host").asText(), tls.toString());
    assertEquals(443, tls.path("route").get(0).path("destination").path("port").path("number").asInt());
    assertEquals("lms.company.com", tls.path("match").get(0).path("sniHosts").get(0).asText());
    JsonNode tcp = spec.path("tcp").get(0);
    assertEquals(100, tcp.path("route").get(0).path("weight").asInt(), tcp.toString());
    assertEquals(0, tcp.path("route").get(1).path("weight").asInt(), tcp.toString());
    assertEquals(5432, tcp.path("match").get(0).path("port").asInt());
    RouteTable table = RouteTable.of(sandbox.virtualService(), sandbox.env);
    assertTrue(table.onBlue(sandbox.env), table.describe().toString());
    assertEquals(0, table.maxGreenShare());
    assertTrue(r.after().stream().anyMatch(l -> l.startsWith("tls[0]:")) && r.after().stream().anyMatch(l -> l.startsWith("tcp[0]:")), r.after().toString());
  }

  @Test
  void aTcpRouteStillOnGreenIsNotOnBlue() {
    // the one predicate: http on Blue is not enough while a tcp route still sends to Green
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          http:
          - route:
            - destination: {host: lms-blue}
          tcp:
          - route:
            - destination: {host: lms-green}
        """);

    RouteTable table = RouteTable.of(sandbox.virtualService(), sandbox.env);

    assertFalse(table.onBlue(sandbox.env));
    assertEquals(java.util.List.of("lms-vs.tcp[0] 100%"), table.toGreen());
  }

  @Test
  void virtualServiceWithoutLmsRoutesIsRefused() {
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          http:
          - route:
            - destination: {host: payroll}
        """);

    ClusterException e = assertThrows(ClusterException.class, this::switchToBlue);

    assertTrue(e.getMessage().contains("has no http, tls or tcp route to lms-blue or lms-green"), e.getMessage());
  }

  @Test
  void secondRollbackOfTheSameEnvironmentWaitsForTheLeaseOrNamesItsHolder() throws Exception {
    // Given one rollback holding production's lease
    sandbox = Sandbox.start(out);
    ClusterSession first = sandbox.engine();
    EnvironmentLease held = EnvironmentLease.acquire(first.client(), "production", "production", "alice (build 41)",
        Duration.ofSeconds(30), Duration.ZERO, first.progress());

    // When a second one may wait 1 s
    ClusterSession second = sandbox.engine();
    ClusterException e = assertThrows(ClusterException.class, () -> EnvironmentLease.acquire(second.client(), "production", "production",
        "bob (build 42)", Duration.ofSeconds(30), Duration.ofSeconds(1), second.progress()));

    // Then it fails naming the holder
    assertTrue(e.getMessage().contains("held by 'alice (build 41)'"), e.getMessage());

    // And when it may wait while the first one finishes, it gets the lease
    var release = java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(700);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      held.close();
    });
    try (EnvironmentLease mine = EnvironmentLease.acquire(second.client(), "production", "production", "bob (build 42)",
        Duration.ofSeconds(30), Duration.ofSeconds(10), second.progress())) {
      assertNotNull(mine);
      assertTrue(sandbox.progress.stream().anyMatch(l -> l.contains("waiting for lease production/lms-rollback-production held by 'alice (build 41)'")),
          sandbox.progress.toString());
    }
    release.get();
  }

  @Test
  void expiredLeaseOfACrashedHolderIsTakenOver() {
    // Given a lease whose holder crashed a minute ago: never renewed, never released
    sandbox = Sandbox.start(out);
    var stale = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1);
    sandbox.store().resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class).inNamespace("production")
        .resource(new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder().withNewMetadata().withName("lms-rollback-production")
            .endMetadata().withNewSpec().withHolderIdentity("crashed").withLeaseDurationSeconds(30).withRenewTime(stale)
            .withAcquireTime(stale).endSpec().build()).create();
    ClusterSession c = sandbox.engine();

    // When / Then: the next rollback takes it over without waiting
    try (EnvironmentLease next = EnvironmentLease.acquire(c.client(), "production", "production", "next", Duration.ofSeconds(30),
        Duration.ZERO, c.progress())) {
      assertNotNull(next);
    }
  }
}
