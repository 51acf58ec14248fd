package lms.rollback.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * Walks the journal's hash chain. An edited, removed or reordered line breaks the link to the
 * line after it; an edit to the last line, or lines cut off the end, only show against the head
 * hash kept elsewhere (Jenkins archives it with the build), which {@code expectedHead} checks.
 */
public final class ChainVerifier {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIELDS = List.of("seq", "ts", "actor", "type", "data", "prev");

  /** The verdict; {@code badLine} is 1-based, 0 when intact. */
  public record Result(boolean intact, int entries, int badLine, String problem, String head) {
    public Map<String, Object> asData() {
      return intact ? Map.of("intact", true, "entries", entries, "head", head)
          : Map.of("intact", false, "entries", entries, "badLine", badLine, "problem", problem);
    }
  }

  /**
   * {@code expectedHead}: the head recorded elsewhere; null checks against the head file beside the
   * journal ({@link Journal#HEAD_FILE_NAME}) when there is one.
   */
  public static Result verify(Path journal, String expectedHead) {
    List<String> lines;
    Path headFile = journal.resolveSibling(Journal.HEAD_FILE_NAME);
    try {
      if (expectedHead == null && journal.getFileName().toString().equals(Journal.FILE_NAME)) {
        // checked once per call, as the call folded it; a head file that disagrees is read the long way, to say why
        JournalFold fold = JournalFold.current(journal);
        if (fold != null) {
          Result folded = fold.chain();
          if (!Files.exists(headFile) || Files.readString(headFile, StandardCharsets.UTF_8).strip().equalsIgnoreCase(folded.head())) return folded;
        }
      }
      if (expectedHead == null && journal.getFileName().toString().equals(Journal.FILE_NAME) && Files.exists(headFile)) {
        Result r = verifyAgainst(journal, Files.readString(headFile, StandardCharsets.UTF_8).strip());
        if (r.intact() || r.badLine() < r.entries()) return r;
        // an entry appended between reading the head and the lines: read both again once
        return verifyAgainst(journal, Files.readString(headFile, StandardCharsets.UTF_8).strip());
      }
      return verifyAgainst(journal, expectedHead);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot read " + headFile + ": " + e.getMessage());
    }
  }

  /**
   * The chain intact, and its entry {@code seq} the one published elsewhere (the war room's closing message carries
   * it): later entries may follow it, but a journal rewritten or cut at or before it no longer matches.
   */
  public static Result verifyAnchored(Path journal, long seq, String sha256) {
    Result chain = verifyAgainst(journal, null);
    if (!chain.intact()) return chain;
    if (seq < 1 || seq > chain.entries()) {
      return bad(chain.entries(), chain.entries(), "has " + chain.entries() + " entries, not the published entry " + seq + ": entries were cut off");
    }
    JournalFold.OPENED_FOR_READING.incrementAndGet();
    try (var lines = Files.lines(journal, StandardCharsets.UTF_8)) {
      String line = lines.skip(seq - 1).findFirst().orElse("");
      if (!Journal.sha256(line).equalsIgnoreCase(sha256)) {
        return bad(chain.entries(), (int) seq, "entry " + seq + " is not the one published (sha256 " + sha256 + "): the journal was rewritten up to it");
      }
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot read " + journal + ": " + e.getMessage());
    }
    return chain;
  }

  /** One pass, one line in memory at a time: a long watch's journal is checked in time linear in it, in flat memory. */
  private static Result verifyAgainst(Path journal, String expectedHead) {
    // a strict decoder: a byte that is not UTF-8 is an alteration, not a character to replace
    var decoder = StandardCharsets.UTF_8.newDecoder();
    JournalFold.OPENED_FOR_READING.incrementAndGet();
    JournalFold.CHAIN_WALKS.incrementAndGet();
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(journal), decoder), 1 << 16)) {
      String previous = null;
      int lineNo = 0;
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String problem = problemWith(line, lineNo, previous);
        if (problem != null) {
          int entries = lineNo;
          while (in.readLine() != null) entries++;
          return bad(entries, lineNo, problem);
        }
        previous = line;
      }
      String head = previous == null ? Journal.GENESIS : Journal.sha256(previous);
      if (expectedHead != null && !expectedHead.equalsIgnoreCase(head)) {
        return bad(lineNo, lineNo, "the journal ends at a different entry than the recorded head " + expectedHead
            + ": its last entry was edited, or entries were cut off the end");
      }
      return new Result(true, lineNo, 0, null, head);
    } catch (NoSuchFileException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--journal: " + journal + " does not exist");
    } catch (java.nio.charset.CharacterCodingException e) {
      return bad(0, firstUndecodableLine(journal), "is not valid UTF-8: the file was altered");
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot read " + journal + ": " + e.getMessage());
    }
  }

  /** What is wrong with line {@code lineNo} after {@code previous}, or null. */
  static String problemWith(String line, int lineNo, String previous) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return "not a JSON object";
    }
    if (n == null || !n.isObject()) return "not a JSON object";
    for (String f : FIELDS) {
      if (!n.has(f)) return "has no '" + f + "' field";
    }
    String expectedPrev = previous == null ? Journal.GENESIS : Journal.sha256(previous);
    if (!expectedPrev.equals(n.path("prev").asText())) {
      return lineNo == 1 ? "the first entry does not start the chain: lines were removed before it"
          : "does not follow from line " + (lineNo - 1) + ": line " + (lineNo - 1)
              + " was edited, or entries between them were removed or reordered";
    }
    if (n.path("seq").asLong() != lineNo) return "has seq " + n.path("seq").asLong() + " where " + lineNo + " belongs";
    return null;
  }

  /** The 1-based number of the first line that is not valid UTF-8. */
  private static int firstUndecodableLine(Path journal) {
    try {
      byte[] bytes = Files.readAllBytes(journal);
      int line = 1;
      int start = 0;
      for (int i = 0; i <= bytes.length; i++) {
        if (i == bytes.length || bytes[i] == '\n') {
          try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, start, i - start));
          } catch (java.nio.charset.CharacterCodingException e) {
            return line;
          }
          line++;
          start = i + 1;
        }
      }
    } catch (IOException e) {
      // fall through: the line cannot be told
    }
    return 0;
  }

  private static Result bad(int entries, int line, String problem) {
    return new Result(false, entries, line, "line " + line + " " + problem, null);
  }
}
