package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApiRetryTest {

  final List<String> said = new ArrayList<>();
  final ApiRetry retry = new ApiRetry(3, Duration.ofMillis(1), said::add);

  static KubernetesClientException closed() {
    return new KubernetesClientException("read failed", new IOException("Connection was closed"));
  }

  @Test
  void aStaleKeepAliveConnectionIsRetriedAtOnceWithoutALine() {
    AtomicInteger calls = new AtomicInteger();
    String answer = retry.call("read log of Blue pod p", () -> {
      if (calls.incrementAndGet() == 1) throw closed();
      return "log";
    });
    assertEquals("log", answer);
    assertEquals(2, calls.get());
    assertEquals(List.of(), said);
  }

  @Test
  void aConnectionClosedAgainIsSaidAndCountsAgainstTheAttempts() {
    AtomicInteger calls = new AtomicInteger();
    var e = assertThrows(ClusterException.class, () -> retry.call("read log of Blue pod p", () -> {
      calls.incrementAndGet();
      throw closed();
    }));
    assertEquals(3, calls.get());
    assertEquals(1, said.size(), said.toString());
    assertTrue(said.get(0).contains("attempt 2/3 failed (API server unreachable (Connection was closed))"), said.toString());
    assertTrue(e.getMessage().contains("failed after 3 attempts"), e.getMessage());
  }

  @Test
  void anUnreachableServerIsSaidFromTheFirstAttempt() {
    assertThrows(ClusterException.class, () -> retry.call("get VirtualService", () -> {
      throw new KubernetesClientException("connect", new java.net.ConnectException("Connection refused"));
    }));
    assertTrue(said.get(0).contains("attempt 1/3 failed (API server unreachable (Connection refused))"), said.toString());
  }
}
