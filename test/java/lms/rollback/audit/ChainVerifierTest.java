package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.testing.Cli;
import lms.rollback.core.ExitCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any edited, removed or reordered entry is found, and the first bad line named. */
class ChainVerifierTest {

  @TempDir Path dir;
  Path file;
  List<String> lines;

  @BeforeEach
  void journalOfFiveEntries() throws Exception {
    Journal journal = new Journal(dir, "alice");
    for (int i = 1; i <= 5; i++) journal.append(Event.STEP_END, Map.of("n", i, "ok", true));
    file = journal.file();
    lines = new ArrayList<>(Files.readAllLines(file));
  }

  private ChainVerifier.Result tamper(List<String> changed) throws Exception {
    Path copy = dir.resolve("tampered.jsonl");
    Files.write(copy, changed);
    return ChainVerifier.verify(copy, null);
  }

  @Test
  void anUntouchedJournalIsIntact() {
    ChainVerifier.Result r = ChainVerifier.verify(file, null);
    assertTrue(r.intact());
    assertEquals(5, r.entries());
    assertEquals(Journal.sha256(lines.get(4)), r.head());
  }

  @Test
  void anAnchorPublishedElsewhereHoldsAsEntriesFollowAndCatchesAJournalRewrittenWhole() throws Exception {
    // the war room got entry 3's hash; two more entries followed
    String anchor = Journal.sha256(lines.get(2));
    assertTrue(ChainVerifier.verifyAnchored(file, 3, anchor).intact());

    // rewritten whole from entry 2 on, chain recomputed: intact as a chain, but not the journal that was published
    Path rewritten = dir.resolve("rewritten");
    Journal forged = new Journal(rewritten, "mallory");
    forged.append(Event.STEP_END, Map.of("n", 1, "ok", true));
    for (int i = 2; i <= 5; i++) forged.append(Event.STEP_END, Map.of("n", i, "ok", i != 3));
    assertTrue(ChainVerifier.verify(forged.file(), null).intact(), "a chain rewritten whole verifies on its own");
    ChainVerifier.Result r = ChainVerifier.verifyAnchored(forged.file(), 3, anchor);
    assertFalse(r.intact());
    assertTrue(r.problem().contains("entry 3 is not the one published"), r.problem());

    // cut off before the anchor
    Path cut = dir.resolve("cut.jsonl");
    Files.write(cut, lines.subList(0, 2));
    assertTrue(ChainVerifier.verifyAnchored(cut, 3, anchor).problem().contains("not the published entry 3: entries were cut off"));

    // from the command line, as the closing message prints it
    Cli.Run ok = Cli.lmsctl("audit", "verify", "--journal", file.toString(), "--anchor", "3:" + anchor);
    assertEquals(0, ok.exit(), ok.err());
    Cli.Run bad = Cli.lmsctl("audit", "verify", "--journal", forged.file().toString(), "--anchor", "3:" + anchor);
    assertEquals(ExitCode.VERIFICATION_FAILED, bad.exit(), bad.err());
    Cli.Run invalid = Cli.lmsctl("audit", "verify", "--journal", file.toString(), "--anchor", "three");
    assertEquals(ExitCode.INVALID_INPUT, invalid.exit());
    assertTrue(invalid.err().contains("--anchor: 'three' is not SEQ:SHA256"), invalid.err());
  }

  @Test
  void anEditedEntryIsFoundAtTheLineAfterIt() throws Exception {
    lines.set(2, lines.get(2).replace("\"ok\":true", "\"ok\":false"));

    ChainVerifier.Result r = tamper(lines);

    assertFalse(r.intact());
    assertEquals(4, r.badLine());
    assertTrue(r.problem().startsWith("line 4 does not follow from line 3: line 3 was edited"), r.problem());
  }

  @Test
  void aRemovedEntryIsFound() throws Exception {
    lines.remove(1);
    assertEquals(2, tamper(lines).badLine());
  }

  @Test
  void reorderedEntriesAreFound() throws Exception {
    String third = lines.remove(2);
    lines.add(3, third);
    assertEquals(3, tamper(lines).badLine());
  }

  @Test
  void aRemovedFirstEntryIsFound() throws Exception {
    lines.remove(0);
    ChainVerifier.Result r = tamper(lines);
    assertEquals(1, r.badLine());
    assertTrue(r.problem().contains("lines were removed before it"), r.problem());
  }

  @Test
  void aTruncatedOrLastLineEditedJournalIsFoundAgainstTheRecordedHead() throws Exception {
    String head = ChainVerifier.verify(file, null).head();
    lines.remove(4);
    Path copy = dir.resolve("cut.jsonl");
    Files.write(copy, lines);

    ChainVerifier.Result r = ChainVerifier.verify(copy, head);

    assertFalse(r.intact());
    assertTrue(r.problem().contains("cut off the end"), r.problem());
  }

  @Test
  void theVerbExitsFourNamingTheLineAndWritesNothing() throws Exception {
    lines.set(1, lines.get(1).replace("alice", "mallory"));
    Path copy = dir.resolve("tampered.jsonl");
    Files.write(copy, lines);
    long before = Files.size(copy);

    Cli.Run r = Cli.lmsctl("audit", "verify", "--journal", copy.toString());

    assertEquals(ExitCode.VERIFICATION_FAILED, r.exit());
    assertEquals("lmsctl audit verify: " + copy + ": line 3 does not follow from line 2: line 2 was edited, or entries between them were removed or reordered",
        r.err().strip());
    assertEquals(before, Files.size(copy));
    assertEquals(0, Cli.lmsctl("audit", "verify", "--journal", file.toString()).exit());
  }
}
