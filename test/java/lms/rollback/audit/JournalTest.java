package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir Path dir;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachLineCarriesTheHashOfTheLineBefore() throws Exception {
    Journal journal = new Journal(dir, "alice");
    journal.append("step.start", Map.of("action", "switch-traffic"));
    journal.append("step.end", Map.of("action", "switch-traffic", "ok", true));
    // a second writer (another lmsctl process) continues the same chain
    new Journal(dir, "bob").append("verb.start", Map.of("verb", "stop-green"));

    List<String> lines = Files.readAllLines(dir.resolve(Journal.FILE_NAME));
    assertEquals(3, lines.size());
    assertEquals(Journal.GENESIS, JSON.readTree(lines.get(0)).path("prev").asText());
    for (int i = 1; i < lines.size(); i++) {
      JsonNode n = JSON.readTree(lines.get(i));
      assertEquals(Journal.sha256(lines.get(i - 1)), n.path("prev").asText());
      assertEquals(i + 1, n.path("seq").asInt());
    }
    assertEquals("bob", JSON.readTree(lines.get(2)).path("actor").asText());
  }

  @Test
  void concurrentAppendsKeepOneUnbrokenChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int w = 0; w < 4; w++) {
      Journal writer = new Journal(dir, "writer-" + w);
      pool.submit(() -> {
        for (int i = 0; i < 25; i++) writer.append("tick", Map.of("i", i));
      });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));

    List<String> lines = Files.readAllLines(dir.resolve(Journal.FILE_NAME));
    assertEquals(100, lines.size());
    for (int i = 1; i < lines.size(); i++) {
      assertEquals(Journal.sha256(lines.get(i - 1)), JSON.readTree(lines.get(i)).path("prev").asText(), "line " + (i + 1));
    }
  }

  @Test
  void secretsAreMaskedBeforeTheyAreWritten() throws Exception {
    Journal journal = new Journal(dir, "alice");
    journal.append("cluster.command", Map.of(
        "header", "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.secret.sig",
        "url", "postgresql://lms:hunter2@db.internal:5432/lms",
        "args", "--password=hunter2 --token abc",
        "body", "{\"password\":\"hunter2\",\"user\":\"qa\"}"));

    String text = Files.readString(dir.resolve(Journal.FILE_NAME));
    assertFalse(text.contains("hunter2"), text);
    assertFalse(text.contains("eyJhbGciOiJSUzI1NiJ9"), text);
    assertTrue(text.contains("lms:****@db.internal"), text);
    assertTrue(text.contains("\\\"user\\\":\\\"qa\\\""), "non-secrets stay readable: " + text);
  }
}
