package lms.rollback.runbook;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.plan.Budget;

/** One runner per out-dir at a time; the OS drops the lock when the process dies, even by SIGKILL. */
public final class OutDirLock implements AutoCloseable {

  static final String LOCK_FILE = "rollback.lock";

  private final FileChannel channel;

  private OutDirLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Locks {@code outDir} for this call, waiting up to {@code wait} for a process that holds it (saying so every 10 s);
   * refused (exit 3) when it is still held then.
   */
  public static OutDirLock acquire(Path outDir, Duration wait, Progress progress) {
    try {
      Files.createDirectories(outDir);
      FileChannel channel = FileChannel.open(outDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long until = System.nanoTime() + wait.toNanos();
      long nextSay = 0;
      FileLock lock;
      while ((lock = channel.tryLock()) == null && System.nanoTime() < until) {
        if (System.nanoTime() >= nextSay) {
          progress.say("  waiting for the lmsctl rollback still running with --out-dir " + outDir + " to end (up to "
              + Budget.format(wait) + ")");
          nextSay = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (lock == null) {
        channel.close();
        throw new LmsException(ExitCode.CLUSTER_STATE, "another lmsctl rollback is running with --out-dir " + outDir
            + (wait.isZero() ? "" : " after " + Budget.format(wait)) + "; wait for it, or use another --out-dir");
      }
      return new OutDirLock(channel);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot lock " + outDir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
