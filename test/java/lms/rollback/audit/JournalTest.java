package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
  void aJournalThatIsASymbolicLinkIsRefusedAndNothingIsWrittenThroughIt() throws Exception {
    // Given another build's journal, and a link to it planted as this out dir's journal
    Path other = Files.createDirectories(dir.resolve("build-40"));
    new Journal(other, "jenkins").append(Event.SCENARIO_START, Map.of("scenario", "B"));
    String before = Files.readString(other.resolve(Journal.FILE_NAME));
    Path mine = Files.createDirectories(dir.resolve("build-41"));
    Files.createSymbolicLink(mine.resolve(Journal.FILE_NAME), other.resolve(Journal.FILE_NAME));
    Files.createSymbolicLink(mine.resolve(Journal.HEAD_FILE_NAME + ".tmp"), other.resolve("planted-head"));
    Journal journal = new Journal(mine, "mallory");

    var e = org.junit.jupiter.api.Assertions.assertThrows(lms.rollback.core.LmsException.class, () -> journal.append(Event.GATE_DECISION, Map.of()));
    assertTrue(e.getMessage().contains("is a symbolic link") && e.getMessage().contains("nothing written"), e.getMessage());
    assertThrows(lms.rollback.core.LmsException.class, journal::read);
    assertEquals(before, Files.readString(other.resolve(Journal.FILE_NAME)));

    // and a link planted where the head is written beside a real journal is replaced, not written through
    Files.delete(mine.resolve(Journal.FILE_NAME));
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B"));
    assertFalse(Files.exists(other.resolve("planted-head")));
  }

  @Test
  void eachLineCarriesTheHashOfTheLineBefore() throws Exception {
    Journal journal = new Journal(dir, "alice");
    journal.append(Event.STEP_START, Map.of("action", "switch-traffic"));
    journal.append(Event.STEP_END, Map.of("action", "switch-traffic", "ok", true));
    // a second writer (another lmsctl process) continues the same chain
    new Journal(dir, "bob").append(Event.VERB_START, Map.of("verb", "stop-green"));

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
        for (int i = 0; i < 25; i++) writer.appendPersonal("tick", Map.of("i", i));
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
    journal.append(Event.CLUSTER_COMMAND, Map.of(
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

  @Test
  void theHeadBesideTheJournalShowsACutOffEndAndAnEmptiedJournal() throws Exception {
    Journal journal = new Journal(dir, "alice");
    for (int i = 0; i < 3; i++) journal.appendPersonal("note", Map.of("n", i));
    Path file = dir.resolve(Journal.FILE_NAME);
    List<String> lines = Files.readAllLines(file);
    assertEquals(Journal.sha256(lines.get(2)), Files.readString(dir.resolve(Journal.HEAD_FILE_NAME)).strip());
    assertTrue(ChainVerifier.verify(file, null).intact());

    Files.write(file, lines.subList(0, 2));
    ChainVerifier.Result cut = ChainVerifier.verify(file, null);
    Files.writeString(file, "");
    ChainVerifier.Result emptied = ChainVerifier.verify(file, null);

    assertFalse(cut.intact());
    assertTrue(cut.problem().contains("cut off the end"), cut.problem());
    assertFalse(emptied.intact(), "an emptied journal is not \"intact, 0 entries\"");
  }

  @Test
  void aTornLastLineIsSetAsideAndTheJournalGoesOn() throws Exception {
    Journal journal = new Journal(dir, "alice");
    journal.appendPersonal("note", Map.of("n", 1));
    Path file = dir.resolve(Journal.FILE_NAME);
    // what a crash or a full disk leaves: half a line, no newline
    Files.writeString(file, "{\"seq\":2,\"ts\":\"2026-", java.nio.file.StandardOpenOption.APPEND);

    assertEquals(1, journal.read().size(), "an incomplete line is no entry");
    journal.appendPersonal("note", Map.of("n", 2));

    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size());
    assertTrue(ChainVerifier.verify(file, null).intact());
    try (var aside = Files.list(dir)) {
      List<Path> torn = aside.filter(p -> p.getFileName().toString().startsWith(Journal.FILE_NAME + ".torn-")).toList();
      assertEquals(1, torn.size());
      assertEquals("{\"seq\":2,\"ts\":\"2026-", Files.readString(torn.get(0)));
    }
  }

  @Test
  void aByteThatIsNotUtf8IsNamedWithItsLine() throws Exception {
    Journal journal = new Journal(dir, "alice");
    journal.appendPersonal("note", Map.of("n", 1));
    journal.appendPersonal("note", Map.of("n", 2));
    Path file = dir.resolve(Journal.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    int second = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).indexOf('\n') + 5;
    bytes[second] = (byte) 0xC3;
    bytes[second + 1] = (byte) 0x28;
    Files.write(file, bytes);

    ChainVerifier.Result r = ChainVerifier.verify(file, null);

    assertFalse(r.intact());
    assertEquals(2, r.badLine());
    assertTrue(r.problem().contains("not valid UTF-8"), r.problem());
  }
}
