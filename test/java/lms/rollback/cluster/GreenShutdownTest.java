package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.2 step 3 and §7.1 #3 against the sandbox API server. */
class GreenShutdownTest {

  @TempDir Path out;
  Sandbox sandbox;

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  private GreenShutdown.Result stopGreen(Duration budget) {
    return new GreenShutdown(sandbox.engine()).execute(new GreenShutdown.Request(Sandbox.ENV, sandbox.env, out, budget));
  }

  private void switchToBlue() {
    new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request(Sandbox.ENV, sandbox.env, null));
  }

  @Test
  void preservesLogsThenScalesToZeroAndWaitsForTheLastPod() throws Exception {
    // Given traffic on Blue and three Green pods that take a moment to terminate
    sandbox = Sandbox.start(out, Duration.ofMillis(400), Map.of());
    switchToBlue();
    assertEquals(3, sandbox.pods(sandbox.env.green().podLabels()));

    // When
    GreenShutdown.Result r = stopGreen(Duration.ofSeconds(30));

    // Then every pod's log is on disk, Green is at 0 and no pod is left
    assertTrue(r.changed());
    assertEquals(3, r.replicasBefore());
    assertEquals(3, r.preservedLogs().size());
    for (String file : r.preservedLogs()) {
      String log = Files.readString(out.resolve(file));
      assertTrue(log.contains("lms 3.0.0 starting"), log);
    }
    assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertEquals(0, sandbox.pods(sandbox.env.green().podLabels()));
    assertTrue(r.waited().toMillis() >= 300, "it waited for termination: " + r.waited());
    // logs are preserved before the scale-down is sent
    var types = sandbox.journalTypes();
    assertTrue(types.lastIndexOf("logs.preserved") < types.indexOf("stop-green.done"));
    int scale = indexOfCommand("scale deployment");
    assertTrue(types.lastIndexOf("logs.preserved") < scale, types.toString());
  }

  private int indexOfCommand(String command) {
    var entries = sandbox.journal.read();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).type().equals("cluster.command.start") && entries.get(i).data().path("command").asText().equals(command)) return i;
    }
    return -1;
  }

  @Test
  void refusesWhileGreenStillGetsTrafficAndTouchesNothing() {
    // Given Green still receiving 100 % of the traffic
    sandbox = Sandbox.start(out);

    // When
    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    // Then
    assertEquals(ExitCode.CLUSTER_STATE, e.exitCode());
    assertTrue(e.getMessage().contains("still sends 100% of traffic to lms-green; Green was not touched"), e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertFalse(Files.exists(out.resolve(GreenShutdown.LOG_DIRECTORY)));
  }

  @Test
  void refusesWhileAnotherVirtualServiceStillRoutesToGreen() {
    // Given the plan's VirtualService switched to Blue, and a second one (an internal route for batch jobs) still on Green
    sandbox = Sandbox.start(out);
    switchToBlue();
    sandbox.cluster.store().adapt(io.fabric8.istio.client.IstioClient.class).v1().virtualServices().inNamespace(sandbox.env.namespace())
        .resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: lms-internal, namespace: %s}
            spec:
              hosts: [lms-internal.company.com]
              http:
              - route:
                - destination: {host: %s}
                  weight: 100
            """.formatted(sandbox.env.namespace(), sandbox.env.green().host()), io.fabric8.istio.api.networking.v1.VirtualService.class)).create();

    // When
    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    // Then Green keeps its replicas, its callers on the other route are not cut off, and the refusal names the route
    assertTrue(e.getMessage().contains("another VirtualService still routes to lms-green (" + sandbox.env.namespace() + "/lms-internal sends 100%)"),
        e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertFalse(Files.exists(out.resolve(GreenShutdown.LOG_DIRECTORY)));
  }

  @Test
  void refusesWhileATlsRouteStillSendsToGreen() {
    // #38 item 4: http switched, the tls route left on Green: scaling Green down would cut off its clients
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          http:
          - route:
            - destination: {host: lms-blue}
          tls:
          - match: [{port: 443, sniHosts: [lms.company.com]}]
            route:
            - destination: {host: lms-green}
        """);

    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    assertTrue(e.getMessage().contains("still sends 100% of traffic to lms-green; Green was not touched"), e.getMessage());
    assertTrue(e.getMessage().contains("lms-vs.tls[0] 100%"), e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertTrue(sandbox.journalTypes().contains("stop-green.refused"));
  }

  @Test
  void refusesWhileAVirtualServiceInAnotherListedNamespaceRoutesToGreensFqdn() {
    // #38 item 14: a VirtualService in namespace reporting sends to Green by its FQDN; the plan lists that namespace
    sandbox = Sandbox.start(out);
    switchToBlue();
    var istio = sandbox.cluster.store().adapt(io.fabric8.istio.client.IstioClient.class).v1().virtualServices();
    istio.inNamespace("reporting").resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reports-to-lms, namespace: reporting}
            spec:
              hosts: [lms-api.reporting]
              tcp:
              - route:
                - destination: {host: lms-green.production.svc.cluster.local}
            """, io.fabric8.istio.api.networking.v1.VirtualService.class)).create();
    // a short "lms-green" there is reporting's own service, not production's Green
    istio.inNamespace("reporting").resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: its-own-green, namespace: reporting}
            spec:
              http:
              - route:
                - destination: {host: lms-green}
            """, io.fabric8.istio.api.networking.v1.VirtualService.class)).create();
    var env = sandbox.env;
    var listing = new lms.rollback.plan.Environment(env.namespace(), env.virtualService(), env.blue(), env.green(), env.rollbackWeights(),
        env.baseUrl(), env.prometheusUrl(), env.database(), env.minBlueReadyReplicas(), env.maintenanceHost(), java.util.List.of("production", "reporting"));

    // the plan's default (its own namespace only) does not look there; listing the namespace does
    assertEquals(java.util.List.of("production"), env.routeNamespaces());
    ClusterException e = assertThrows(ClusterException.class,
        () -> new GreenShutdown(sandbox.engine()).execute(new GreenShutdown.Request(Sandbox.ENV, listing, out, Duration.ofSeconds(10))));

    assertTrue(e.getMessage().contains("another VirtualService still routes to lms-green (reporting/reports-to-lms sends 100%)"), e.getMessage());
    assertFalse(e.getMessage().contains("its-own-green"), e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertFalse(Files.exists(out.resolve(GreenShutdown.LOG_DIRECTORY)));
  }

  @Test
  void refusesWhileBlueIsNotReadyForGreenMayBeAllThatServes() {
    // Given traffic forced onto a Blue with only 1 of its 3 replicas ready
    sandbox = Sandbox.start(out, Duration.ZERO, Map.of(lms.rollback.sandbox.StandInController.READY_LIMIT, "1"));
    new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request(Sandbox.ENV, sandbox.env, "Green corrupts data, Blue at 1/3 is better"));

    // When
    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    // Then Green keeps its replicas and nothing of it was touched
    assertTrue(e.getMessage().contains("Blue is not ready (Deployment lms-blue has 1/3 ready replicas; needs 3 (Green serves with 3 ready; plan minimum 3)); Green was not touched"),
        e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    assertFalse(Files.exists(out.resolve(GreenShutdown.LOG_DIRECTORY)));
  }

  @Test
  void refusesAVirtualServiceWhoseRoutesThePlanDoesNotKnow() {
    sandbox = Sandbox.start(out);
    sandbox.replaceVirtualService("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: lms-vs, namespace: production}
        spec:
          http:
          - route:
            - destination: {host: lms-v3}
        """);

    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    assertTrue(e.getMessage().contains("has no route to lms-blue or lms-green that the plan knows"), e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void secondRunIsARecordedNoOp() {
    sandbox = Sandbox.start(out);
    switchToBlue();
    stopGreen(Duration.ofSeconds(10));

    GreenShutdown.Result again = stopGreen(Duration.ofSeconds(10));

    assertFalse(again.changed());
    assertTrue(sandbox.journalTypes().contains("stop-green.noop"));
  }

  @Test
  void podsThatOutliveTheBudgetAreReportedNotHidden() {
    // Given pods that take 5 s to terminate and a 1 s budget
    sandbox = Sandbox.start(out, Duration.ofSeconds(5), Map.of());
    switchToBlue();

    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(1)));

    assertTrue(e.getMessage().startsWith("3 Green pod(s) still present after 1s"), e.getMessage());
    assertTrue(e.getMessage().contains("Green is scaled to 0"), e.getMessage());
    assertTrue(sandbox.journalTypes().contains("stop-green.timeout"));
  }

  @Test
  void greenScaledBackWhileItsPodsTerminateIsNamedAndNeverCalledScaledToZero() {
    // #38 item 3: an HPA scales Green back up while its pods terminate (they take 2 s here)
    sandbox = Sandbox.start(out, Duration.ofSeconds(2), Map.of());
    switchToBlue();
    java.util.concurrent.atomic.AtomicBoolean scaledBack = new java.util.concurrent.atomic.AtomicBoolean();
    sandbox.cluster.server().before("GET", ".*/namespaces/production/pods", () -> {
      if (sandbox.deployment("lms-green").getSpec().getReplicas() == 0 && scaledBack.compareAndSet(false, true)) {
        sandbox.writeAs("horizontal-pod-autoscaler", "PUT", sandbox.greenScalePath(), "application/json", "{\"spec\":{\"replicas\":3}}");
      }
    });

    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(20)));

    assertTrue(scaledBack.get());
    assertTrue(e.getMessage().contains("Green was scaled back to 3 by another writer, horizontal-pod-autoscaler, at "), e.getMessage());
    assertTrue(e.getMessage().contains("Green is NOT at 0"), e.getMessage());
    assertFalse(e.getMessage().contains("Green is scaled to 0"), e.getMessage());
    assertFalse(sandbox.journalTypes().contains("stop-green.done"));
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void aLogThatCannotBeReadStopsBeforeTheScaleDown() {
    sandbox = Sandbox.start(out);
    switchToBlue();
    sandbox.cluster.server().inject("GET", ".*/pods/lms-green-.*/log", 500, 100);

    ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(10)));

    assertTrue(e.getMessage().contains("could not preserve the log of Green pod"), e.getMessage());
    assertTrue(e.getMessage().contains("Green was not scaled down"), e.getMessage());
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
  }
}
