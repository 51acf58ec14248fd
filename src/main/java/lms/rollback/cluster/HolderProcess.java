package lms.rollback.cluster;

import java.time.Instant;
import java.util.Map;

/**
 * The process that holds an environment's lease: its pid, host and start time. The start time tells a live holder from
 * a process that got its pid after the holder died; the host tells whether this machine can see it at all.
 */
record HolderProcess(long pid, String host, Instant started) {

  /** Two readings of one process's start time can differ by the clock tick the kernel counts in. */
  private static final long SAME_START_MILLIS = 1000;

  static HolderProcess current() {
    ProcessHandle self = ProcessHandle.current();
    return new HolderProcess(self.pid(), thisHost(), self.info().startInstant().orElse(null));
  }

  /** The holder the lease's annotations name, or null (none named: a lease kept between a run's calls, or an older engine's). */
  static HolderProcess of(Map<String, String> notes) {
    String pid = notes.get(EnvironmentLease.HOLDER_PID);
    String host = notes.get(EnvironmentLease.HOLDER_HOST);
    if (pid == null || host == null) return null;
    try {
      String started = notes.get(EnvironmentLease.HOLDER_STARTED);
      return new HolderProcess(Long.parseLong(pid), host, started == null || started.isEmpty() ? null : Instant.parse(started));
    } catch (RuntimeException e) {
      return null; // unreadable: treated as unnamed, the lease's expiry decides as before
    }
  }

  Map<String, String> asAnnotations() {
    return Map.of(EnvironmentLease.HOLDER_PID, Long.toString(pid), EnvironmentLease.HOLDER_HOST, host,
        EnvironmentLease.HOLDER_STARTED, started == null ? "" : started.toString());
  }

  boolean isThisProcess() {
    return pid == ProcessHandle.current().pid() && host.equals(thisHost());
  }

  boolean onThisHost() {
    return host.equals(thisHost());
  }

  /** Whether this process runs on this host now (same pid, same start): false for a dead one, or one on another host. */
  boolean aliveOnThisHost() {
    if (!host.equals(thisHost())) return false;
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> started == null || p.info().startInstant()
        .map(s -> Math.abs(s.toEpochMilli() - started.toEpochMilli()) <= SAME_START_MILLIS).orElse(true)).orElse(false);
  }

  static String thisHost() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }
}
