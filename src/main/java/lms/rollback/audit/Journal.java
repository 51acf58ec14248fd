package lms.rollback.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.SecretMasker;

/**
 * The append-only audit journal: one JSON object a line, each carrying the SHA-256 of the line
 * before it, so that an edited, removed or reordered line breaks the chain. Secrets are masked
 * before they are written. Appends from several processes are serialised by an OS file lock.
 */
public final class Journal {

  public static final String FILE_NAME = "journal.jsonl";
  /** Beside the journal: the SHA-256 of its last line, rewritten after each entry, so a cut-off end or an edited last line shows. */
  public static final String HEAD_FILE_NAME = "journal.sha256";
  public static final String GENESIS = "0".repeat(64);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.concurrent.ConcurrentHashMap<Path, Object> IN_PROCESS = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * For the crash tests only: "TYPE" or "TYPE:ACTION" makes the process stop and wait, right after
   * writing the first such entry, for the test to kill it with SIGKILL at exactly that point.
   */
  static final String HOLD_AFTER_VARIABLE = "LMS_TEST_HOLD_AFTER";
  private static final String HOLD_AFTER = System.getenv(HOLD_AFTER_VARIABLE);

  private final Path file;
  private final String actor;
  private final Clock clock;

  public Journal(Path directory, String actor) {
    this(directory, actor, Clock.systemUTC());
  }

  public Journal(Path directory, String actor, Clock clock) {
    this(directory.resolve(FILE_NAME), clock, actor);
  }

  private Journal(Path file, Clock clock, String actor) {
    this.file = file;
    this.actor = actor;
    this.clock = clock;
  }

  /** A journal to read under whatever name it was archived (`report --journal build-41.jsonl`). */
  public static Journal reading(Path file) {
    return new Journal(file, Clock.systemUTC(), "reader");
  }

  public Path file() {
    return file;
  }

  public String actor() {
    return actor;
  }

  /** Appends an entry of the engine's vocabulary; {@code data} values are serialised with Jackson and masked. */
  public Entry append(Event type, Map<String, ?> data) {
    return write(type.key(), data);
  }

  /**
   * Appends what a person records by hand ({@code lmsctl audit record}): a type the engine acts on only if people may
   * write it too ({@link Event.Origin#PEOPLE}), or one outside the vocabulary; an engine's type is refused.
   */
  public Entry appendPersonal(String type, Map<String, ?> data) {
    if (!Event.writableByPeople(type)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--type: '" + type + "' is written only by lmsctl itself, after its own checks (its vocabulary and "
          + "every type beginning " + String.join(", ", Event.STEERING_FAMILIES) + " are reserved for lmsctl's own entries: they steer a run); "
          + "gate decisions go through 'lmsctl gate record'; record another type (e.g. checklist.item, data-review.done, or one of your own like note.war-room)");
    }
    return write(type, data);
  }

  /** What serialises this process's appends to (and folds of) one journal file. */
  static Object lockFor(Path normalized) {
    return IN_PROCESS.computeIfAbsent(normalized, f -> new Object());
  }

  private Entry write(String type, Map<String, ?> data) {
    // An OS file lock serialises processes; inside one JVM a second lock on the file would throw.
    Entry entry;
    synchronized (lockFor(file.toAbsolutePath().normalize())) {
      entry = appendLocked(type, data);
    }
    if (HOLD_AFTER != null) holdIfAsked(entry);
    return entry;
  }

  private static void holdIfAsked(Entry e) {
    String[] want = HOLD_AFTER.split(":", 2);
    if (!want[0].equals(e.type()) || (want.length == 2 && !want[1].equals(e.data().path("action").asText()))) return;
    System.err.println("lmsctl: holding after journal entry " + e.seq() + " (" + e.type() + ") as " + HOLD_AFTER_VARIABLE + " asks; waiting to be killed");
    System.err.flush();
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException ignored) {
        // only SIGKILL ends this
      }
    }
  }

  /** A journal is a plain file of its out dir: a symbolic link there (planted, or a copy gone wrong) would write another file. */
  private static void refuseLink(Path file) {
    if (Files.isSymbolicLink(file)) {
      String target;
      try {
        target = String.valueOf(Files.readSymbolicLink(file));
      } catch (IOException e) {
        target = "?";
      }
      throw new LmsException(ExitCode.INVALID_INPUT, "--out-dir: the audit journal " + file + " is a symbolic link (to " + target
          + "): refused, nothing written; a journal is a plain file — remove the link, or use another --out-dir");
    }
  }

  private Entry appendLocked(String type, Map<String, ?> data) {
    try {
      Files.createDirectories(file.getParent());
      refuseLink(file);
      try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS); var lock = channel.lock()) {
        setAsideTornTail(channel);
        String last = lastLine(channel);
        long seq = last == null ? 1 : JSON.readTree(last).path("seq").asLong() + 1;
        ObjectNode node = JSON.createObjectNode();
        node.put("seq", seq);
        node.put("ts", Instant.now(clock).toString());
        node.put("actor", actor);
        node.put("type", type);
        node.set("data", SecretMasker.mask(JSON.valueToTree(data)));
        node.put("prev", last == null ? GENESIS : sha256(last));
        String line = JSON.writeValueAsString(node);
        long at = channel.size();
        writeWhole(channel, line);
        Entry entry = new Entry(seq, Instant.parse(node.get("ts").asText()), actor, type, node.get("data"));
        JournalFold.appended(file, at, line, entry);
        return entry;
      }
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot write the audit journal " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A complete line and its head, or nothing: a write that comes up short (a full disk) is taken
   * back to where the journal ended, and the command fails saying so.
   */
  private void writeWhole(java.nio.channels.FileChannel channel, String line) throws IOException {
    long end = channel.size();
    var buffer = java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      channel.position(end);
      while (buffer.hasRemaining()) {
        if (channel.write(buffer) == 0) throw new IOException("no space left to write");
      }
      channel.force(false);
      writeHead(sha256(line));
    } catch (IOException e) {
      try {
        channel.truncate(end);
        channel.force(false);
      } catch (IOException ignored) {
        // the torn tail is then set aside by the next append or read
      }
      throw new LmsException(ExitCode.OTHER, "cannot write the audit journal " + file + " (" + e.getMessage()
          + "); nothing was added to it. Free space on " + file.getParent() + " and run the command again", e);
    }
  }

  private void writeHead(String head) throws IOException {
    Path headFile = file.resolveSibling(HEAD_FILE_NAME);
    Path temp = file.resolveSibling(HEAD_FILE_NAME + ".tmp");
    // a link planted at the temp name is removed, not written through
    Files.deleteIfExists(temp);
    Files.writeString(temp, head + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Files.move(temp, headFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A last line without its newline is what a crash or a full disk leaves: it is no entry. It is
   * moved into a file of its own beside the journal, so the journal is usable again and nothing
   * is silently lost.
   */
  private void setAsideTornTail(java.nio.channels.FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) return;
    var last = java.nio.ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    if (last.get(0) == '\n') return;
    long start = size;
    var one = java.nio.ByteBuffer.allocate(1);
    while (start > 0) {
      one.clear();
      channel.read(one, start - 1);
      if (one.get(0) == '\n') break;
      start--;
    }
    var torn = java.nio.ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE, size - start));
    channel.read(torn, start);
    Path aside = file.resolveSibling(FILE_NAME + ".torn-" + Instant.now(clock).toEpochMilli());
    Files.write(aside, torn.array());
    channel.truncate(start);
    channel.force(false);
    JournalFold.forget(file);
    System.err.println("lmsctl: the journal " + file + " ended in an incomplete line (a crash or a full disk); it was set aside in " + aside);
  }

  /** Every entry, in order; an incomplete last line (a crash mid-write) is no entry. */
  public List<Entry> read() {
    if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) refuseLink(file);
    JournalFold fold = JournalFold.current(file);
    if (fold != null) return new ArrayList<>(fold.entries());
    List<Entry> entries = new ArrayList<>();
    forEach(entries::add);
    return entries;
  }

  /**
   * Each entry in order, one line in memory at a time (a 4-hour watch journals tens of thousands); an incomplete
   * last line (a crash mid-write) is no entry.
   */
  public void forEach(java.util.function.Consumer<Entry> each) {
    try (var entries = stream()) {
      entries.forEach(each);
    }
  }

  /**
   * Each entry in order, as a stream to close: the call's fold when it holds this journal, else the file read one
   * line at a time (a report folds a journal of a million entries in flat memory). An incomplete last line (a crash
   * mid-write) is no entry.
   */
  public java.util.stream.Stream<Entry> stream() {
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return java.util.stream.Stream.empty();
    refuseLink(file);
    JournalFold fold = JournalFold.current(file);
    if (fold != null) return fold.entries().stream();
    JournalFold.OPENED_FOR_READING.incrementAndGet();
    try {
      var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      long complete = completeLength(channel);
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(
          java.nio.channels.Channels.newInputStream(channel), StandardCharsets.UTF_8), 1 << 16);
      var lines = new java.util.Iterator<Entry>() {
        long read;
        Entry next;

        @Override
        public boolean hasNext() {
          try {
            String line;
            while (next == null && read < complete && (line = in.readLine()) != null) {
              read += line.getBytes(StandardCharsets.UTF_8).length + 1;
              if (line.isBlank()) continue;
              JsonNode n = JSON.readTree(line);
              next = new Entry(n.path("seq").asLong(), Instant.parse(n.path("ts").asText()), n.path("actor").asText(), n.path("type").asText(),
                  n.path("data"));
            }
            return next != null;
          } catch (IOException e) {
            throw new LmsException(ExitCode.OTHER, "cannot read the audit journal " + file + ": " + e.getMessage(), e);
          }
        }

        @Override
        public Entry next() {
          if (!hasNext()) throw new java.util.NoSuchElementException();
          Entry e = next;
          next = null;
          return e;
        }
      };
      return java.util.stream.StreamSupport.stream(java.util.Spliterators.spliteratorUnknownSize(lines, java.util.Spliterator.ORDERED), false)
          .onClose(() -> {
            try {
              in.close();
            } catch (IOException ignored) {
              // read only: nothing to lose
            }
          });
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot read the audit journal " + file + ": " + e.getMessage(), e);
    }
  }

  /** The bytes up to and including the last newline: what follows it is a line still being (or never) written. */
  static long completeLength(java.nio.channels.FileChannel channel) throws IOException {
    long pos = channel.size();
    var block = java.nio.ByteBuffer.allocate(8192);
    while (pos > 0) {
      int n = (int) Math.min(block.capacity(), pos);
      block.clear().limit(n);
      channel.read(block, pos - n);
      for (int i = n - 1; i >= 0; i--) {
        if (block.get(i) == '\n') return pos - n + i + 1;
      }
      pos -= n;
    }
    return 0;
  }

  private static String lastLine(java.nio.channels.FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) return null;
    // Read backwards in blocks until the start of the last line is in view.
    int block = 8192;
    byte[] tail = new byte[0];
    long pos = size;
    while (pos > 0) {
      int n = (int) Math.min(block, pos);
      pos -= n;
      var buf = java.nio.ByteBuffer.allocate(n);
      channel.read(buf, pos);
      byte[] joined = new byte[n + tail.length];
      System.arraycopy(buf.array(), 0, joined, 0, n);
      System.arraycopy(tail, 0, joined, n, tail.length);
      tail = joined;
      String text = new String(tail, StandardCharsets.UTF_8).stripTrailing();
      int nl = text.lastIndexOf('\n');
      if (nl >= 0) return text.substring(nl + 1);
    }
    String text = new String(tail, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? null : text;
  }

  public static String sha256(String line) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code value} as a JSON tree, as the journal would write it before masking. */
  public static JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** One line of the journal. */
  public record Entry(long seq, Instant ts, String actor, String type, JsonNode data) {
    public boolean is(Event event) {
      return event.key().equals(type);
    }

    /** This entry's event, or null for a person's own type outside the vocabulary. */
    public Event event() {
      return Event.of(type);
    }
  }
}
