package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.testing.LmsctlProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** #37: a call folds its journal once and answers every later read from memory, seeing other writers and edits. */
class JournalFoldTest {

  @TempDir Path dir;

  @Test
  void aSandboxRunOpensItsJournalForReadingAtMostTwiceAndWalksItsChainOnce() throws Exception {
    // Given the whole embedded rollback, counted by the journal's own read path
    var run = LmsctlProcess.run(Map.of(JournalFold.COUNT_VARIABLE, "1"), "sandbox", "--out-dir", dir.resolve("out").toString());
    assertEquals(0, run.exit(), run.out() + run.err());

    // Then its 60-odd entries, 7 messages and report were all answered from one read
    Matcher counted = Pattern.compile("journal reads: opened (\\d+), chain walks (\\d+)").matcher(run.err());
    assertTrue(counted.find(), run.err());
    int opened = Integer.parseInt(counted.group(1));
    int walks = Integer.parseInt(counted.group(2));
    assertTrue(opened >= 1 && opened <= 2, "opened " + opened + " times");
    assertEquals(1, walks);
    assertTrue(Files.readAllLines(dir.resolve("out").resolve(Journal.FILE_NAME)).size() > 40);
  }

  @Test
  void anEntryAnotherProcessAppendsIsReadAndItsLinkChecked() throws Exception {
    Journal mine = new Journal(dir, "lmsctl");
    mine.append(Event.SCENARIO_START, Map.of("scenario", "B"));
    assertEquals(1, mine.read().size());
    int opened = JournalFold.OPENED_FOR_READING.get();

    // When another process appends a line of the same chain behind this call's back
    Path file = dir.resolve(Journal.FILE_NAME);
    String last = Files.readAllLines(file).get(0);
    String line = "{\"seq\":2,\"ts\":\"2026-01-01T00:00:00Z\",\"actor\":\"jenkins\",\"type\":\"gate.decision\",\"data\":{},\"prev\":\""
        + Journal.sha256(last) + "\"}";
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    Files.writeString(dir.resolve(Journal.HEAD_FILE_NAME), Journal.sha256(line) + "\n");

    // Then this call sees it, reading only what was added, and the chain still holds
    List<Journal.Entry> entries = mine.read();
    assertEquals(2, entries.size());
    assertEquals("jenkins", entries.get(1).actor());
    assertEquals(opened + 1, JournalFold.OPENED_FOR_READING.get());
    var chain = ChainVerifier.verify(file, null);
    assertTrue(chain.intact(), String.valueOf(chain.problem()));
    assertEquals(2, chain.entries());
    assertEquals(Journal.sha256(line), chain.head());
  }

  @Test
  void anEarlierEntryEditedDuringTheCallIsFoundByTheNextCheck() throws Exception {
    Journal mine = new Journal(dir, "lmsctl");
    mine.append(Event.SCENARIO_START, Map.of("scenario", "B"));
    mine.append(Event.STEP_END, Map.of("action", "switch-traffic", "ok", true));
    mine.append(Event.SCENARIO_END, Map.of("ok", true));
    Path file = dir.resolve(Journal.FILE_NAME);
    assertTrue(ChainVerifier.verify(file, null).intact());

    // When the first entry is edited (same length: only the file's time tells)
    Thread.sleep(20);
    String text = Files.readString(file);
    Files.writeString(file, text.replaceFirst("\"B\"", "\"C\""));

    var chain = ChainVerifier.verify(file, null);
    assertFalse(chain.intact());
    assertEquals(2, chain.badLine(), chain.problem());
  }
}
