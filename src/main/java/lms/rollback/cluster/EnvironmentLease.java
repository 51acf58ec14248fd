package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lms.rollback.core.Progress;

/**
 * A Kubernetes Lease per environment, so that two rollbacks of one environment never run at once.
 * The holder renews it while it works; a crashed holder's lease expires and can be taken over.
 * Re-entrant for the same holder identity (a Jenkins build passes its BUILD_TAG).
 */
public final class EnvironmentLease implements AutoCloseable {

  public static final String NAME_PREFIX = "lms-rollback-";
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String holder;
  private final Duration duration;
  private final String runId;
  private ScheduledExecutorService renewer;
  private volatile boolean held;

  /** On a lease whose holder waits for a person's decision and has changed nothing: the trigger it waits on. */
  static final String AWAITING_DECISION = "lms-rollback.company.com/awaiting-decision";
  /** Left by an automatic rollback that took the lease over from a waiting run: that run's holder, and why. */
  static final String SUPERSEDED_HOLDER = "lms-rollback.company.com/superseded-holder";
  static final String SUPERSEDED_BY = "lms-rollback.company.com/superseded-by";
  /** The run the lease is held for (scenario.start's runId), and the process advancing it: one engine per run (#38). */
  static final String RUN_ID = "lms-rollback.company.com/run-id";
  static final String HOLDER_PID = "lms-rollback.company.com/holder-pid";
  static final String HOLDER_HOST = "lms-rollback.company.com/holder-host";
  static final String HOLDER_STARTED = "lms-rollback.company.com/holder-started";

  /** Another holder kept the lease for the whole wait: another rollback is running (mid-step, or not marked as waiting). */
  public static final class HeldException extends ClusterException {
    public HeldException(String message) {
      super(message);
    }
  }

  /** A run waiting for its decision whose lease an automatic rollback took over (§3.2: the automatic branch is immediate). */
  public static final class SupersededException extends ClusterException {
    public SupersededException(String message) {
      super(message);
    }
  }

  private EnvironmentLease(KubernetesClient client, String namespace, String environment, String holder, Duration duration, String runId) {
    this.runId = runId;
    this.client = client;
    this.namespace = namespace;
    this.name = NAME_PREFIX + environment;
    this.holder = holder;
    this.duration = duration;
  }

  /** Takes the lease, waiting up to {@code wait} for another holder to finish, or fails naming it. */
  public static EnvironmentLease acquire(KubernetesClient client, String namespace, String environment, String holder,
      Duration duration, Duration wait, Progress progress) {
    return acquire(client, namespace, environment, holder, duration, wait, progress, null);
  }

  /**
   * The same; {@code automatic} (an automatic trigger the engine measured to hold, else null) takes the lease over at once
   * from a holder that waits for a person's decision and has changed nothing — never from one that is mid-step.
   */
  public static EnvironmentLease acquire(KubernetesClient client, String namespace, String environment, String holder,
      Duration duration, Duration wait, Progress progress, String automatic) {
    return acquire(client, namespace, environment, holder, duration, wait, progress, automatic, null);
  }

  /**
   * The same for a run ({@code runId}: its scenario.start's id, or null): a process continuing a run whose lease a live
   * process on this host holds is refused at once, whatever holder identity it gives; one on another host, not heard from
   * within the lease's duration, is taken over as a crashed holder.
   */
  public static EnvironmentLease acquire(KubernetesClient client, String namespace, String environment, String holder,
      Duration duration, Duration wait, Progress progress, String automatic, String runId) {
    EnvironmentLease lease = new EnvironmentLease(client, namespace, environment, holder, duration, runId);
    lease.take(wait, progress, automatic);
    return lease;
  }

  private volatile String superseded;

  /** The holder whose waiting run this one took the lease over from, or null. */
  public String superseded() {
    return superseded;
  }

  public String name() {
    return namespace + "/" + name;
  }

  private Resource<Lease> resource() {
    return client.resources(Lease.class).inNamespace(namespace).withName(name);
  }

  private void take(Duration wait, Progress progress, String automatic) {
    long deadline = System.nanoTime() + wait.toNanos();
    long nextProgress = System.nanoTime();
    long started = System.nanoTime();
    while (true) {
      Lease current;
      try {
        current = resource().get();
        if (current == null) {
          client.resources(Lease.class).inNamespace(namespace).resource(fresh()).create();
          break;
        }
        String other = current.getSpec() == null ? null : current.getSpec().getHolderIdentity();
        Map<String, String> notes = annotations(current);
        if (holder.equals(notes.get(SUPERSEDED_HOLDER))) {
          // this run waited for its decision when an automatic rollback took over: it ends here, told once
          String by = notes.getOrDefault(SUPERSEDED_BY, "an automatic rollback");
          notes.remove(SUPERSEDED_HOLDER);
          notes.remove(SUPERSEDED_BY);
          current.getMetadata().setAnnotations(notes);
          client.resources(Lease.class).inNamespace(namespace).resource(current).update();
          throw new SupersededException("superseded while waiting for its decision: " + by);
        }
        boolean waiting = notes.containsKey(AWAITING_DECISION);
        HolderProcess engine = HolderProcess.of(notes);
        boolean sameRun = other != null && other.equals(holder) || runId != null && runId.equals(notes.get(RUN_ID));
        // the process named on the lease, if it is another one: alive on this host, gone from it, or elsewhere (alive while it renews)
        boolean anotherEngine = engine != null && !engine.isThisProcess() && !expired(current);
        boolean gone = anotherEngine && engine.onThisHost() && !engine.aliveOnThisHost();
        if (sameRun && anotherEngine && !gone && engine.onThisHost()) {
          // build 8 continuing build 7's run while build 7 still advances it: never two engines on one run
          throw new HeldException("environment is locked: lease " + name() + " is held by run " + notes.getOrDefault(RUN_ID, "?") + " of pid "
              + engine.pid() + " on " + engine.host() + " (holder '" + other + "'), still running it; one engine per run: this call is refused "
              + "and changed nothing. Let that process finish, or stop it, then run this command again");
        }
        // the same holder is let in again unless another live engine holds it (one elsewhere is waited for: its lease expires if it died)
        boolean reentrant = other != null && other.equals(holder) && (!anotherEngine || gone);
        if (other == null || other.isEmpty() || reentrant || gone || expired(current) || automatic != null && waiting) {
          if (automatic != null && waiting && other != null && !other.isEmpty() && !other.equals(holder) && !expired(current)) {
            superseded = other;
            notes.put(SUPERSEDED_HOLDER, other);
            notes.put(SUPERSEDED_BY, "the automatic rollback for " + automatic + " (" + holder + ") took the environment over at "
                + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT) + "; " + automatic + " is immediate (§3.2)");
          }
          notes.remove(AWAITING_DECISION);
          notes.putAll(thisEngine());
          current.getMetadata().setAnnotations(notes);
          current.setSpec(fresh().getSpec());
          client.resources(Lease.class).inNamespace(namespace).resource(current).update();
          break;
        }
        if (System.nanoTime() >= deadline) {
          throw new HeldException("environment is locked: lease " + name() + " is held by '" + other + "'" + (engine == null ? ""
              : " (run " + notes.getOrDefault(RUN_ID, "?") + ", pid " + engine.pid() + " on " + engine.host() + ")") + " (renewed "
              + ago(current) + " ago); another rollback is running. Wait for it to finish, or give --lock-wait a longer time");
        }
        if (System.nanoTime() >= nextProgress) {
          progress.say(String.format("  waiting for lease %s held by '%s' (%ds of %ds)", name(), other,
              Duration.ofNanos(System.nanoTime() - started).toSeconds(), wait.toSeconds()));
          nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
      } catch (KubernetesClientException e) {
        // 409: someone else created or renewed it between our read and write; unreachable, 429, 5xx: the API server
        // is struggling. Either way look again until the wait is over, as every other API call of the engine does.
        if (e.getCode() != 409 && !ApiRetry.retryable(e)) {
          throw new ClusterException("cannot take lease " + name() + ": " + ApiRetry.reason(e), e);
        }
        if (System.nanoTime() >= deadline) {
          throw new ClusterException("cannot take lease " + name() + " within " + wait.toSeconds() + "s: " + ApiRetry.reason(e), e);
        }
        progress.say("  lease " + name() + ": " + ApiRetry.reason(e) + "; trying again");
      }
      sleep(POLL);
    }
    held = true;
    renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lease-renewer");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1, duration.toMillis() / 3);
    renewer.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      resource().edit(l -> {
        if (l.getSpec() != null && holder.equals(l.getSpec().getHolderIdentity())) l.getSpec().setRenewTime(now());
        else lostTo = l.getSpec() == null ? "nobody" : String.valueOf(l.getSpec().getHolderIdentity());
        return l;
      });
    } catch (RuntimeException e) {
      // the next renewal tries again; an expired lease is taken over only after leaseDurationSeconds
    }
  }

  private volatile String lostTo;

  /**
   * While this run waits for a person's decision with nothing changed: an automatic rollback may take the environment
   * over ({@code trigger}: what it waits on; null: no longer waiting, it is deciding or acting).
   */
  public void awaitingDecision(String trigger) {
    try {
      resource().edit(l -> {
        if (l.getSpec() == null || !holder.equals(l.getSpec().getHolderIdentity())) return l;
        Map<String, String> notes = annotations(l);
        if (trigger == null) notes.remove(AWAITING_DECISION);
        else notes.put(AWAITING_DECISION, trigger);
        l.getMetadata().setAnnotations(notes);
        return l;
      });
    } catch (KubernetesClientException e) {
      // unmarked, an automatic rollback waits for this run as for any other holder: slower, never unsafe
    }
  }

  /** While waiting: whether an automatic rollback took the lease over; throws saying by whom if it did. */
  public void requireNotSuperseded() {
    Lease current = resource().get();
    String now = current == null || current.getSpec() == null ? null : current.getSpec().getHolderIdentity();
    Map<String, String> notes = current == null ? Map.of() : annotations(current);
    if (now != null && !holder.equals(now) && holder.equals(notes.get(SUPERSEDED_HOLDER))) {
      held = false;
      renewer.shutdownNow();
      throw new SupersededException("superseded while waiting for its decision: " + notes.getOrDefault(SUPERSEDED_BY, "by '" + now + "'"));
    }
  }

  /**
   * Before each change: this run still holds the lease. One another rollback has taken over (or whose renewals
   * failed past its duration) stops the run here, before it changes anything more.
   */
  public void check() {
    // an unreadable lease is the API's failure, retried by the caller like any other read
    Lease current = resource().get();
    String now = current == null || current.getSpec() == null ? null : current.getSpec().getHolderIdentity();
    if (!holder.equals(now)) {
      throw new ClusterException("the lease " + name + " is no longer this run's: it is held by '" + (now == null ? lostTo : now)
          + "' (another rollback took it over, or renewals failed past " + duration.toSeconds() + "s); the run stops before its next change");
    }
  }

  /** The annotations naming this run and this process as the lease's engine. */
  private Map<String, String> thisEngine() {
    Map<String, String> notes = new HashMap<>(HolderProcess.current().asAnnotations());
    if (runId != null) notes.put(RUN_ID, runId);
    return notes;
  }

  /** A lease's annotations, as a copy the caller may change and set back. */
  private static Map<String, String> annotations(Lease lease) {
    var notes = lease.getMetadata().getAnnotations();
    return notes == null ? new HashMap<>() : new HashMap<>(notes);
  }

  private Lease fresh() {
    return new LeaseBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "lms-rollback").addToAnnotations(thisEngine()).endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds((int) duration.toSeconds())
        .withAcquireTime(now()).withRenewTime(now()).endSpec().build();
  }

  private static boolean expired(Lease lease) {
    var spec = lease.getSpec();
    if (spec.getRenewTime() == null || spec.getLeaseDurationSeconds() == null) return true;
    return spec.getRenewTime().plusSeconds(spec.getLeaseDurationSeconds()).isBefore(ZonedDateTime.now(ZoneOffset.UTC));
  }

  private static String ago(Lease lease) {
    if (lease.getSpec().getRenewTime() == null) return "never";
    return Duration.between(lease.getSpec().getRenewTime(), ZonedDateTime.now(ZoneOffset.UTC)).toSeconds() + "s";
  }

  private static ZonedDateTime now() {
    // MicroTime has microsecond precision on the wire
    return ZonedDateTime.parse(ZonedDateTime.now(ZoneOffset.UTC).format(MICRO), MICRO.withZone(ZoneOffset.UTC));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while waiting for the environment lease");
    }
  }

  /**
   * Leaves the lease held for {@code hold} without renewing it, for a run paused between two of its
   * stages (a Jenkins stage, a decision): the next call of the same run takes it back at once under
   * the same holder; anyone else waits until the run ends or the hold runs out.
   */
  public void keep(Duration hold) {
    if (!held) return;
    held = false;
    renewer.shutdownNow();
    try {
      resource().edit(l -> {
        if (l.getSpec() != null && holder.equals(l.getSpec().getHolderIdentity())) {
          l.getSpec().setLeaseDurationSeconds((int) Math.max(1, hold.toSeconds()));
          l.getSpec().setRenewTime(now());
          // kept for the run, no longer by this process: its next call (another process, maybe on another agent) takes it at once
          Map<String, String> notes = annotations(l);
          notes.keySet().removeAll(List.of(HOLDER_PID, HOLDER_HOST, HOLDER_STARTED));
          l.getMetadata().setAnnotations(notes);
        }
        return l;
      });
    } catch (KubernetesClientException e) {
      // it then expires after its ordinary duration: the run's next stage takes it back if nobody else did
    }
  }

  /** Gives the lease up so the next rollback need not wait for it to expire. */
  @Override
  public void close() {
    if (!held) return;
    held = false;
    renewer.shutdownNow();
    try {
      Lease current = resource().get();
      if (current != null && current.getSpec() != null && holder.equals(current.getSpec().getHolderIdentity())) {
        boolean noteForSuperseded = annotations(current).containsKey(SUPERSEDED_HOLDER);
        if (noteForSuperseded) {
          // the run it took over from has not read why yet (a paused build): free the lease, keep the note for it
          current.getSpec().setHolderIdentity(null);
          client.resources(Lease.class).inNamespace(namespace).resource(current).update();
        } else {
          resource().lockResourceVersion(current.getMetadata().getResourceVersion()).delete();
        }
      }
    } catch (KubernetesClientException e) {
      // it expires by itself after leaseDurationSeconds
    }
  }
}
