package lms.rollback.runbook;

import java.time.Duration;

/**
 * While a run advances in this process: a SIGTERM (what a Jenkins abort sends first) or a SIGINT (Ctrl-C) ends it the way a
 * driver's stop does — where it stopped journaled, the report written, the war room told — before the JVM exits with
 * 128 + the signal (143, 130). The stop runs on its own thread, bounded, so a step that does not let go never keeps the
 * process from ending; the step's thread is not interrupted, it waits at its next journal entry for the process to end.
 */
final class SignalStop implements AutoCloseable {

  /** Jenkins sends SIGKILL some seconds after its SIGTERM; the record of the stop comes first, within this. */
  static final Duration BOUND = Duration.ofSeconds(20);

  private final Thread hook;

  private SignalStop(Runnable stop) {
    this.hook = new Thread(() -> {
      Thread worker = new Thread(stop, "lmsctl-signal-stop");
      worker.setDaemon(true);
      worker.start();
      try {
        worker.join(BOUND.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "lmsctl-shutdown");
  }

  /** Runs {@code stop} when the process is told to end while this is open (a normal end closes it first: nothing runs). */
  static SignalStop install(Runnable stop) {
    SignalStop s = new SignalStop(stop);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the process is already ending: the hook runs and finds the run ended in order
    }
  }
}
