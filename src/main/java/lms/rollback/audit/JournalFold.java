package lms.rollback.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this call (one lmsctl process) knows of one journal file: its entries, folded from the file once, its hash
 * chain checked while folding, and kept up to date in memory as the call appends. Every later read of the same file
 * in the call — the run's logic, the gate, each message, the report — is a query on it instead of a re-read: a
 * sandbox run read its journal 37 times and walked the chain 16 times (#37). Another process appending (a decision
 * recorded from Jenkins) is seen by the file's size: only the lines it added are read, and their links checked.
 *
 * <p>Held only while the file is small ({@link #RETAIN_UP_TO_BYTES}: a rollback's journal is a few hundred entries);
 * a larger one (a long watch's) is streamed one line at a time by every read, in flat memory, as before.
 */
final class JournalFold {

  /** Above this a journal is not held in memory: its parsed entries would weigh several times its bytes. */
  static final long RETAIN_UP_TO_BYTES = 4L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ConcurrentHashMap<Path, JournalFold> KNOWN = new ConcurrentHashMap<>();

  /**
   * Test seam for #37's count: each time a journal is opened to be read, and each walk of a whole hash chain. Set
   * {@value #COUNT_VARIABLE} and the process says both on stderr as it exits.
   */
  static final AtomicInteger OPENED_FOR_READING = new AtomicInteger();
  static final AtomicInteger CHAIN_WALKS = new AtomicInteger();
  static final String COUNT_VARIABLE = "LMS_TEST_COUNT_JOURNAL_READS";

  static {
    if (System.getenv(COUNT_VARIABLE) != null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("lmsctl: journal reads: opened " + OPENED_FOR_READING.get()
          + ", chain walks " + CHAIN_WALKS.get())));
    }
  }

  private final Path key;
  private final List<Journal.Entry> entries = new ArrayList<>();
  private Object fileKey;
  /** The bytes folded: up to and including the last complete line's newline. */
  private long length;
  private FileTime modified;
  private int lines;
  private String lastLine;
  private String head = Journal.GENESIS;

  private JournalFold(Path key) {
    this.key = key;
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  /**
   * The fold of {@code file} as it is now, or null when it is not held: no such file, a link, larger than
   * {@link #RETAIN_UP_TO_BYTES}, or a chain that does not hold (the caller then reads the file itself and says what
   * is wrong with it, as it always did).
   */
  static JournalFold current(Path file) {
    Path key = key(file);
    synchronized (Journal.lockFor(key)) {
      BasicFileAttributes now;
      try {
        now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        KNOWN.remove(key);
        return null;
      }
      if (!now.isRegularFile() || now.size() > RETAIN_UP_TO_BYTES) {
        KNOWN.remove(key);
        return null;
      }
      JournalFold known = KNOWN.get(key);
      boolean sameFile = known != null && java.util.Objects.equals(known.fileKey, now.fileKey());
      if (sameFile && now.size() == known.length && now.lastModifiedTime().equals(known.modified)) return known;
      if (sameFile && now.size() > known.length && known.readFrom(file)) return known;
      JournalFold fresh = new JournalFold(key);
      fresh.fileKey = now.fileKey();
      CHAIN_WALKS.incrementAndGet();
      if (!fresh.readFrom(file)) {
        KNOWN.remove(key);
        return null;
      }
      KNOWN.put(key, fresh);
      return fresh;
    }
  }

  /** Reads what follows {@link #length}, checking each new line's link; false when the file cannot be held. */
  private boolean readFrom(Path file) {
    OPENED_FOR_READING.incrementAndGet();
    try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long complete = Journal.completeLength(channel);
      channel.position(length);
      // strict: a byte that is not UTF-8 is an alteration, for the chain's check to name
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(channel),
          StandardCharsets.UTF_8.newDecoder()), 1 << 16);
      long read = length;
      String line;
      while (read < complete && (line = in.readLine()) != null) {
        if (ChainVerifier.problemWith(line, lines + 1, lastLine) != null) return false;
        JsonNode n = JSON.readTree(line);
        entries.add(new Journal.Entry(n.path("seq").asLong(), Instant.parse(n.path("ts").asText()), n.path("actor").asText(),
            n.path("type").asText(), n.path("data")));
        read += line.getBytes(StandardCharsets.UTF_8).length + 1;
        lines++;
        lastLine = line;
        head = Journal.sha256(line);
      }
      length = read;
      modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The call appended {@code line} (entry {@code entry}) at byte {@code at}: the fold takes it when it held the file
   * up to there, else it is dropped and the next read folds the file again.
   */
  static void appended(Path file, long at, String line, Journal.Entry entry) {
    Path key = key(file);
    JournalFold known = KNOWN.get(key);
    if (known == null) return;
    if (known.length != at) {
      KNOWN.remove(key);
      return;
    }
    known.entries.add(entry);
    known.length = at + line.getBytes(StandardCharsets.UTF_8).length + 1;
    known.lines++;
    known.lastLine = line;
    known.head = Journal.sha256(line);
    try {
      known.modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
      if (known.length > RETAIN_UP_TO_BYTES) KNOWN.remove(key);
    } catch (IOException e) {
      KNOWN.remove(key);
    }
  }

  /** The call changed the file other than by appending (a torn tail set aside): what it held is no longer the file. */
  static void forget(Path file) {
    KNOWN.remove(key(file));
  }

  /** The entries, in order: a copy, so a reader is not disturbed by the call appending. */
  List<Journal.Entry> entries() {
    synchronized (Journal.lockFor(key)) {
      return List.copyOf(entries);
    }
  }

  /** The chain as folded: its lines, and the SHA-256 of the last. */
  ChainVerifier.Result chain() {
    synchronized (Journal.lockFor(key)) {
      return new ChainVerifier.Result(true, lines, 0, null, head);
    }
  }
}
