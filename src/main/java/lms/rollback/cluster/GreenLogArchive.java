package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import lms.rollback.audit.Event;

/**
 * §7.1 #3: every Green container's log, streamed straight to a file under {@code green-logs/} (never held whole in
 * memory), {@link #PARALLEL} at a time, each file's size and (from {@link #digest}) SHA-256 journaled. A pod that is gone (404) or that
 * goes away mid-read is noted, not fatal; any other failure, or logs still coming when the budget ends, stops the
 * step before Green is touched, naming the pods.
 */
public final class GreenLogArchive {

  /** Reads at once: enough to keep a slow API server busy, few enough not to flood it (Green runs tens of pods). */
  public static final int PARALLEL = 8;
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Duration LOG_ANSWER_WITHIN = Duration.ofSeconds(30);

  private final ClusterSession cluster;

  public GreenLogArchive(ClusterSession cluster) {
    this.cluster = cluster;
  }

  /** One container's log as kept: {@code gone} when the pod disappeared before or while it was read. */
  public record Saved(String pod, String container, Path file, long bytes, boolean gone) {
    Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("pod", pod);
      m.put("container", container);
      m.put("file", file.toString());
      m.put("bytes", bytes);
      return m;
    }
  }

  /** A kept file's SHA-256, or why it could not be read back. */
  public record Digest(Path file, long bytes, String sha256, String error) {
    Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("bytes", bytes);
      if (sha256 != null) m.put("sha256", sha256);
      if (error != null) m.put("error", error);
      return m;
    }
  }

  private record Source(String pod, String container) {
    String name() {
      return pod + "/" + container;
    }
  }

  /**
   * Saves the logs of {@code pods}' containers under {@code dir} and journals them (one entry: each file and its
   * size; a pod gone, one entry each); fails naming the pods. Digests come later, from {@link #digest}.
   */
  public List<Saved> preserve(String namespace, Map<String, String> podLabels, List<Pod> pods, Path dir, Duration budget) {
    List<Source> sources = new ArrayList<>();
    for (Pod pod : pods) {
      List<Container> containers = pod.getSpec() == null ? List.of() : pod.getSpec().getContainers();
      for (Container c : containers) sources.add(new Source(pod.getMetadata().getName(), c.getName()));
    }
    if (sources.isEmpty()) return List.of();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ClusterException("cannot create " + dir + ": " + e.getMessage() + "; Green was not scaled down", e);
    }
    ExecutorService readers = Executors.newFixedThreadPool(Math.min(PARALLEL, sources.size()), r -> {
      Thread t = new Thread(r, "green-log-reader");
      t.setDaemon(true);
      return t;
    });
    List<Future<Saved>> reads = new ArrayList<>();
    for (Source s : sources) reads.add(readers.submit(() -> save(namespace, s, dir)));
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    long nextProgress = start + PROGRESS_EVERY.toNanos();
    List<Saved> saved = new ArrayList<>();
    try {
      for (int i = 0; i < reads.size(); i++) {
        Source source = sources.get(i);
        while (true) {
          long now = System.nanoTime();
          if (now >= deadline) throw outOfTime(sources.subList(i, sources.size()), reads.subList(i, reads.size()), budget);
          if (now >= nextProgress) {
            cluster.progress().say(String.format("  preserving Green's logs: %d of %d saved, waiting for %s (%ds of %ds)", i,
                sources.size(), source.name(), Duration.ofNanos(now - start).toSeconds(), budget.toSeconds()));
            nextProgress = now + PROGRESS_EVERY.toNanos();
          }
          try {
            saved.add(reads.get(i).get(Math.min(deadline - now, PROGRESS_EVERY.toNanos()), TimeUnit.NANOSECONDS));
            break;
          } catch (TimeoutException e) {
            // say which pod is holding things up, then wait on
          } catch (ExecutionException e) {
            throw failed(source, e.getCause());
          }
        }
      }
      // a kubelet ends the stream of a deleted pod as if the log were complete: only the pod's absence tells
      Set<String> present = new HashSet<>();
      for (Pod p : cluster.pods(namespace, podLabels)) present.add(p.getMetadata().getName());
      List<Saved> kept = new ArrayList<>();
      for (Saved s : saved) {
        Saved k = s.gone() || present.contains(s.pod()) ? s : new Saved(s.pod(), s.container(), s.file(), s.bytes(), true);
        if (k.gone()) journalGone(k);
        kept.add(k);
      }
      // one entry for the lot: fifty entries, each written through to disk, cost a large Green ~0.2 s
      cluster.journal().append(Event.LOGS_PRESERVED, Map.of("files", kept.stream().filter(k -> !k.gone() || k.bytes() > 0).map(Saved::asData).toList(),
          "bytes", kept.stream().mapToLong(Saved::bytes).sum()));
      return kept;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while preserving Green's logs; Green was not scaled down");
    } finally {
      readers.shutdownNow();
    }
  }

  private void journalGone(Saved s) {
    cluster.journal().append(Event.LOGS_GONE, Map.of("pod", s.pod(), "container", s.container(), "bytes", s.bytes(),
        "note", s.bytes() == 0 ? "the pod was gone before its log was read" : "the pod went away while its log was read; what was read is kept"));
  }

  /**
   * Each kept file's SHA-256, computed in the background (two at a time) so that it overlaps Green's termination:
   * a JVM started for one command hashes in C1-compiled code, ~10 ms a MiB, which on the critical path was most of
   * a large Green's step. The files are already whole on disk; the digest records what was kept.
   */
  public static CompletableFuture<List<Digest>> digest(List<Saved> saved) {
    ExecutorService hashers = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "green-log-digest");
      t.setDaemon(true);
      return t;
    });
    List<CompletableFuture<Digest>> each = saved.stream()
        .map(s -> CompletableFuture.supplyAsync(() -> digestOf(s.file()), hashers)).toList();
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> each.stream().map(CompletableFuture::join).toList())
        .whenComplete((r, e) -> hashers.shutdown());
  }

  /** Journals the digests (one entry); a file that could not be read back is named, not fatal. */
  public void journalDigests(List<Digest> digests) {
    if (digests.isEmpty()) return;
    cluster.journal().append(Event.LOGS_DIGESTS, Map.of("algorithm", "SHA-256", "files", digests.stream().map(Digest::asData).toList()));
  }

  private static Digest digestOf(Path file) {
    MessageDigest sha = sha256();
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    long bytes = 0;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = in.read(buffer.clear())) >= 0) {
        sha.update(buffer.array(), 0, n);
        bytes += n;
      }
      return new Digest(file, bytes, HexFormat.of().formatHex(sha.digest()), null);
    } catch (IOException e) {
      return new Digest(file, bytes, null, "cannot read back: " + e.getMessage());
    }
  }

  private ClusterException outOfTime(List<Source> waiting, List<Future<Saved>> reads, Duration budget) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < waiting.size(); i++) if (!reads.get(i).isDone()) names.add(waiting.get(i).name());
    cluster.journal().append(Event.LOGS_TIMEOUT, Map.of("waitingFor", names, "budgetSeconds", budget.toSeconds()));
    return new ClusterException("Green's logs were still being read after " + budget.toSeconds() + "s, the step's budget ("
        + names.size() + " left: " + String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", …" : "")
        + "); Green was not scaled down. Re-run to try again");
  }

  private ClusterException failed(Source source, Throwable cause) {
    String reason = cause instanceof KubernetesClientException k ? ApiRetry.reason(k) : String.valueOf(cause.getMessage());
    cluster.journal().append(Event.LOGS_FAILED, Map.of("pod", source.pod(), "container", source.container(), "error", reason));
    return new ClusterException("could not preserve the log of Green pod " + source.name() + ": " + reason
        + "; Green was not scaled down (§7.1 #3 asks for its logs first). Re-run to try again", cause);
  }

  /** One log to one file, through a digest; written beside and moved into place, so a file there is whole. */
  private Saved save(String namespace, Source source, Path dir) {
    Path file = dir.resolve(source.pod() + "." + source.container() + ".log");
    Path partial = dir.resolve(file.getFileName() + ".partial");
    return cluster.retry().call("read log of pod " + source.name(), () -> {
      long bytes;
      boolean gone = false;
      try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        bytes = streamLog(namespace, source, out);
      } catch (PodGone e) {
        gone = true;
        bytes = sizeOf(partial);
      } catch (IOException e) {
        throw new ClusterException("cannot write " + partial + ": " + e.getMessage() + "; Green was not scaled down", e);
      }
      try {
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new ClusterException("cannot write " + file + ": " + e.getMessage() + "; Green was not scaled down", e);
      }
      return new Saved(source.pod(), source.container(), file, bytes, gone);
    });
  }

  /** The pod is not there (any more): what was read is kept. */
  private static final class PodGone extends RuntimeException {
    PodGone() {
      super(null, null, false, false);
    }
  }

  /**
   * Streams the log into {@code out} as the API server sends it (fabric8's own log call copies byte by byte); returns
   * the bytes written. 404 is {@link PodGone}; a stream cut short is {@link PodGone} when the pod went, else retried.
   */
  private long streamLog(String namespace, Source source, FileChannel out) throws IOException {
    HttpClient http = cluster.client().getHttpClient();
    HttpRequest request = new PodLogRequest(namespace, source.pod(), source.container(), null).build(cluster.client());
    long[] written = {0};
    IOException[] writeFailure = {null};
    StringBuilder errorBody = new StringBuilder();
    boolean[] failed = {false};
    try {
      HttpResponse<AsyncBody> response = http.consumeBytes(request, (List<ByteBuffer> buffers, AsyncBody body) -> {
        for (ByteBuffer b : buffers) {
          if (failed[0]) {
            if (errorBody.length() < 2048) errorBody.append(StandardCharsets.UTF_8.decode(b));
            continue;
          }
          try {
            while (b.hasRemaining()) written[0] += out.write(b);
          } catch (IOException e) {
            writeFailure[0] = e;
            body.cancel();
            return;
          }
        }
        body.consume();
      }).get(LOG_ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
      failed[0] = !response.isSuccessful();
      response.body().consume();
      try {
        response.body().done().get();
      } catch (CancellationException e) {
        // cancelled by a write failure, thrown below
      } catch (ExecutionException e) {
        if (writeFailure[0] == null && !failed[0]) {
          if (!podExists(namespace, source.pod())) throw new PodGone();
          throw new KubernetesClientException("log stream broke: " + e.getCause(), e.getCause());
        }
      }
      if (writeFailure[0] != null) throw writeFailure[0];
      if (response.code() == 404) throw new PodGone();
      if (failed[0]) {
        throw new KubernetesClientException("HTTP " + response.code() + " reading the log: " + errorBody, response.code(), null);
      }
      return written[0];
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new KubernetesClientException("no answer: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted", e);
    }
  }

  private boolean podExists(String namespace, String pod) {
    try {
      return cluster.client().pods().inNamespace(namespace).withName(pod).get() != null;
    } catch (KubernetesClientException e) {
      return true; // cannot tell: treat as a broken connection, which is retried
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
