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
import java.time.Duration;
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

  /** Whether entries are timed by the run's clock ({@link RunClock}); false where a caller gives the clock (a replay, a test). */
  private final boolean measured;

  public Journal(Path directory, String actor) {
    this(directory.resolve(FILE_NAME), RunClock.wall(), actor, true);
  }

  /** A journal whose entries are timed by {@code clock} as it reads, for writing a run's history at given times. */
  public Journal(Path directory, String actor, Clock clock) {
    this(directory.resolve(FILE_NAME), clock, actor, false);
  }

  private Journal(Path file, Clock clock, String actor, boolean measured) {
    this.file = file;
    this.actor = actor;
    this.clock = clock;
    this.measured = measured;
  }

  /** A journal to read under whatever name it was archived (`report --journal build-41.jsonl`). */
  public static Journal reading(Path file) {
    return new Journal(file, RunClock.wall(), "reader", true);
  }

  public Path file() {
    return file;
  }

  /** The run's clock for this journal ({@link RunClock}): what every decision window and duration of the run is measured by. */
  public Clock clock() {
    return measured ? RunClock.of(file, clock) : clock;
  }

  /** The journal's last entry as written, or null (none, or unreadable: the wall clock decides then). */
  static JsonNode lastEntry(Path file) {
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return null;
    try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
      String last = lastLine(channel);
      return last == null ? null : JSON.readTree(last);
    } catch (IOException | RuntimeException e) {
      return null;
    }
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
    Object monitor = lockFor(file.toAbsolutePath().normalize());
    while (true) {
      awaitOwnTurn();
      synchronized (monitor) {
        if (reservedForAnother()) continue; // reserved between the wait and the monitor: wait again
        entry = appendLocked(type, data);
        break;
      }
    }
    if (HOLD_AFTER != null) holdIfAsked(entry);
    return entry;
  }

  /** The one thread that may write journals in this process while a signal's stop path records where the run stopped; null: any. */
  private static volatile Thread onlyWriter;
  private static final Object TURN = new Object();

  /**
   * From now on only the calling thread writes journals in this process: the stop path of a signal, while the step it
   * interrupted still runs on another thread. That thread waits at its next entry (the process ends before it goes on), so
   * nothing the step does lands after where the run is recorded to have stopped. Returns once entries being written have been.
   */
  public static void reserveForThisThread() {
    onlyWriter = Thread.currentThread();
    for (Object monitor : IN_PROCESS.values()) {
      synchronized (monitor) {
        // nothing to do inside: an entry being written by another thread is complete once this monitor is free
        assert onlyWriter != null;
      }
    }
  }

  /** Lets every thread write again (the stop path found the run already ended by its own thread, which ends it in order). */
  public static void release() {
    onlyWriter = null;
    synchronized (TURN) {
      TURN.notifyAll();
    }
  }

  private static boolean reservedForAnother() {
    Thread only = onlyWriter;
    return only != null && only != Thread.currentThread();
  }

  private static void awaitOwnTurn() {
    boolean interrupted = false;
    while (reservedForAnother()) {
      synchronized (TURN) {
        try {
          TURN.wait(1000);
        } catch (InterruptedException e) {
          interrupted = true; // the entry still waits its turn; the interruption is passed on after it
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
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
        JsonNode previous = last == null ? null : JSON.readTree(last);
        long seq = previous == null ? 1 : previous.path("seq").asLong() + 1;
        long mono = System.nanoTime();
        Instant wall = Instant.now(clock);
        Instant ts = measured ? RunClock.after(previous, wall, mono) : wall;
        ObjectNode node = JSON.createObjectNode();
        node.put("seq", seq);
        node.put("ts", ts.toString());
        node.put("actor", actor);
        node.put("type", type);
        node.set("data", SecretMasker.mask(JSON.valueToTree(data)));
        node.put("prev", last == null ? GENESIS : sha256(last));
        // the run's own measure of time, for the next entry; and a wall clock off from it, said where it was seen
        if (measured) node.put("mono", mono);
        if (measured && RunClock.BOOT != null) node.put("boot", RunClock.BOOT);
        if (Duration.between(ts, wall).abs().compareTo(RunClock.TOLERANCE) > 0) {
          ObjectNode off = node.putObject("wallClock");
          off.put("read", wall.toString());
          off.put("offBySeconds", Duration.between(ts, wall).toMillis() / 1000.0);
        }
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
