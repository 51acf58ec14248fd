package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §7.1 #3 at production size: Green's logs streamed to files, several at once, each journaled with its digest. */
class GreenLogArchiveTest {

  @TempDir Path out;
  Sandbox sandbox;

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  private Sandbox greenOf(int pods) {
    sandbox = Sandbox.start(out);
    sandbox.cluster.seed(sandbox.env, Map.of(), pods);
    new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request(Sandbox.ENV, sandbox.env, null));
    return sandbox;
  }

  private GreenShutdown.Result stopGreen(Duration budget) {
    return new GreenShutdown(sandbox.engine()).execute(new GreenShutdown.Request(Sandbox.ENV, sandbox.env, out, budget));
  }

  private List<Journal.Entry> entries(String type) {
    return sandbox.journal.read().stream().filter(e -> e.type().equals(type)).toList();
  }

  @Test
  void everyPodsLogIsStreamedToItsFileSeveralAtOnceWithItsDigestJournaled() throws Exception {
    // Given 12 Green pods, each with a 3 MiB log that the API server sends slowly
    greenOf(12);
    AtomicInteger reading = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    byte[] chunk = ("INFO  GET /api/v1/leave/requests 200 12ms " + "x".repeat(980) + "\n").getBytes(StandardCharsets.UTF_8);
    sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> {
      mostAtOnce.accumulateAndGet(reading.incrementAndGet(), Math::max);
      try {
        for (int i = 0; i < 3 * 1024; i++) {
          stream.write(chunk);
          if (i % 1024 == 0) sleep(100);
        }
      } finally {
        reading.decrementAndGet();
      }
    });

    // When
    GreenShutdown.Result r = stopGreen(Duration.ofSeconds(60));

    // Then each file is whole, its size and SHA-256 are in the journal, and reads overlapped within the bound
    assertEquals(12, r.preservedLogs().size());
    assertEquals(12L * 3 * 1024 * chunk.length, r.logBytes());
    List<Journal.Entry> preserved = entries("logs.preserved");
    assertEquals(1, preserved.size(), "one entry for the lot");
    assertEquals(12, preserved.get(0).data().get("files").size());
    for (var f : preserved.get(0).data().get("files")) {
      assertEquals(Files.size(Path.of(f.get("file").asText())), f.get("bytes").asLong());
    }
    // the digests, computed while Green terminated, are journaled after the scale-down, one per file
    var types = sandbox.journalTypes();
    assertTrue(types.indexOf("logs.preserved") < types.lastIndexOf("cluster.command") && types.lastIndexOf("cluster.command") < types.indexOf("logs.digests"), types.toString());
    var digests = entries("logs.digests").get(0).data().get("files");
    assertEquals(12, digests.size());
    for (var d : digests) {
      Path file = Path.of(d.get("file").asText());
      assertEquals(sha256(file), d.get("sha256").asText(), file.toString());
      assertEquals(Files.size(file), d.get("bytes").asLong());
    }
    assertTrue(mostAtOnce.get() > 1, "logs are read in parallel: at most " + mostAtOnce.get() + " at once");
    assertTrue(mostAtOnce.get() <= GreenLogArchive.PARALLEL, "never more than the bound: " + mostAtOnce.get());
    try (var files = Files.list(out.resolve(GreenShutdown.LOG_DIRECTORY))) {
      assertTrue(files.noneMatch(f -> f.toString().endsWith(".partial")), "no half-written file is left");
    }
    assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void aPodThatGoesAwayMidReadIsNotedAndGreenStillStops() throws Exception {
    // Given one of three Green pods deleted while its log is being sent
    greenOf(3);
    String victim = sandbox.store().pods().inNamespace(sandbox.env.namespace()).withLabels(sandbox.env.green().podLabels())
        .list().getItems().get(0).getMetadata().getName();
    sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> {
      stream.write(("log of " + pod + "\n").getBytes(StandardCharsets.UTF_8));
      if (pod.equals(victim)) {
        stream.flush();
        sandbox.store().pods().inNamespace(ns).withName(pod).withGracePeriod(0).delete();
        throw new IOException("the kubelet closed the stream");
      }
    });

    // When
    GreenShutdown.Result r = stopGreen(Duration.ofSeconds(30));

    // Then the step completes; the vanished pod is journaled as gone, the others as preserved
    assertTrue(r.changed());
    List<Journal.Entry> gone = entries("logs.gone");
    assertEquals(1, gone.size(), sandbox.journalTypes().toString());
    assertEquals(victim, gone.get(0).data().get("pod").asText());
    assertEquals(3, entries("logs.preserved").get(0).data().get("files").size(), "what the vanished pod sent is kept too");
    assertFalse(sandbox.journalTypes().contains("logs.failed"));
    assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void logsStillComingWhenTheBudgetEndsNameThePodAndGreenIsNotTouched() {
    // Given one Green pod whose log never finishes
    greenOf(3);
    String stuck = sandbox.store().pods().inNamespace(sandbox.env.namespace()).withLabels(sandbox.env.green().podLabels())
        .list().getItems().get(1).getMetadata().getName();
    CountDownLatch release = new CountDownLatch(1);
    sandbox.cluster.server().setLogSource((ns, pod, container, stream) -> {
      stream.write("starting\n".getBytes(StandardCharsets.UTF_8));
      if (pod.equals(stuck)) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });

    try {
      // When the step has 2 s
      ClusterException e = assertThrows(ClusterException.class, () -> stopGreen(Duration.ofSeconds(2)));

      // Then it says which pod it waited for, journals it, and Green keeps its pods
      assertTrue(e.getMessage().contains(stuck), e.getMessage());
      assertTrue(e.getMessage().contains("Green was not scaled down"), e.getMessage());
      Journal.Entry timeout = entries("logs.timeout").get(0);
      assertEquals("[\"" + stuck + "/lms\"]", timeout.data().get("waitingFor").toString());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    } finally {
      release.countDown();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
