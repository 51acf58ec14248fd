package lms.rollback.runbook;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Scenario;

/**
 * A build that lost its run (agent gone, process killed, build aborted) leaves its journal in its own folder; the
 * next build of the job has a new folder. Before that build's first entry, its run is carried over: the newest
 * journal beside it whose last run is on this environment is copied in — chain and head — when that run is
 * unfinished and is this scenario, trigger and requester, so the same run resumes (its decision still counts, nothing is sent
 * twice) — only when its build lost it (not when the engine stopped it at a failing step), and only while that run was
 * last active within the plan's {@code gate.continueWithin}: a decision given
 * for an incident hours ago is not a decision for this one. A newest unfinished run that is too old, or another
 * request's, is {@link #stale}: the caller closes it as abandoned and the new request is decided afresh.
 */
public final class RunContinuation {

  /** What was carried over, and from where; null when nothing was. */
  public record CarriedOver(Path from, long startSeq) {}

  /** An earlier build's unfinished run this call may not continue: its folder, and why not (a sentence). */
  public record Stale(Path folder, String why) {}

  private RunContinuation() {}

  /**
   * The newest earlier unfinished run on this environment when this call may not continue it — another request, or
   * last active longer ago than {@code within} — or null (none, or one this call continues).
   */
  public static Stale stale(Path siblings, Path outDir, Resumption.Call call, Scenario plan, java.time.Duration within, java.time.Instant now) {
    if (Files.exists(outDir.resolve(Journal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) return null; // this folder has its own run
    Path newest = newestJournalOn(siblings, outDir, call.environment());
    if (newest == null) return null;
    lms.rollback.audit.RunLog log = lms.rollback.audit.RunLog.read(Journal.reading(newest));
    lms.rollback.audit.RunLog.Start start = log.unfinished();
    if (start == null) return null;
    if (log.phase() == lms.rollback.audit.RunLog.Phase.STOPPED) {
      // the engine stopped it itself at a failing step and said so (ROLLBACK FAILED): only a run its build lost is continued
      // by the next build; this one's decision and finished steps are not a new build's
      // why it stopped is in its own stop entry (the report and the message say it once)
      Journal.Entry stop = log.lastSaid();
      return new Stale(newest.getParent(), "the engine stopped it at " + stop.data().path("stoppedAt").asText("a step")
          + ", and a new build starts a new run rather than continue a failed one");
    }
    if (Resumption.matching(log, call, plan) == null) {
      return new Stale(newest.getParent(), "a new request (" + describe(call) + ") is not the run it left unfinished (" + start.describe()
          + "), and a run is continued only by its own request");
    }
    java.util.List<Journal.Entry> since = log.sinceUnfinished();
    java.time.Instant last = since.isEmpty() ? start.at() : since.get(since.size() - 1).ts();
    java.time.Duration idle = java.time.Duration.between(last, now);
    if (idle.compareTo(within) > 0) {
      return new Stale(newest.getParent(), "it was last active " + lms.rollback.plan.Budget.format(idle) + " ago, longer than the plan's "
          + "gate.continueWithin (" + lms.rollback.plan.Budget.format(within) + "): its decision does not decide a request made now");
    }
    return null;
  }

  private static String describe(Resumption.Call call) {
    return "scenario " + call.scenario() + ", " + call.trigger() + " on " + call.environment() + ", requested by " + call.requestedBy();
  }

  public static CarriedOver carryOver(Path siblings, Path outDir, Resumption.Call call, Scenario plan) {
    if (Files.exists(outDir.resolve(Journal.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) return null; // this folder has its own run
    Path newest = newestJournalOn(siblings, outDir, call.environment());
    if (newest == null) return null;
    Resumption unfinished = Resumption.matching(lms.rollback.audit.RunLog.read(Journal.reading(newest)), call, plan);
    if (unfinished == null) return null;
    var chain = ChainVerifier.verify(newest, null);
    if (!chain.intact()) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--continue-from: the unfinished run in " + newest + " cannot be continued: its journal "
          + "is not intact (" + chain.problem() + "); nothing was done. Check it with 'lmsctl audit verify', or start a new run in an empty folder");
    }
    try {
      Files.createDirectories(outDir);
      Path head = newest.resolveSibling(Journal.HEAD_FILE_NAME);
      if (Files.exists(head, LinkOption.NOFOLLOW_LINKS)) {
        Files.copy(head, outDir.resolve(Journal.HEAD_FILE_NAME), StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
      }
      Files.copy(newest, outDir.resolve(Journal.FILE_NAME), LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "--continue-from: cannot copy " + newest + " into " + outDir + ": " + e.getMessage());
    }
    return new CarriedOver(newest.getParent(), unfinished.startSeq());
  }

  /** The most recently written journal among {@code siblings}' folders whose last scenario.start is on {@code environment}. */
  static Path newestJournalOn(Path siblings, Path outDir, String environment) {
    if (!Files.isDirectory(siblings, LinkOption.NOFOLLOW_LINKS)) return null;
    List<Path> journals = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(siblings)) {
      for (Path dir : dirs) {
        Path file = dir.resolve(Journal.FILE_NAME);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || sameFolder(dir, outDir)) continue;
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) journals.add(file);
      }
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "--continue-from: cannot list " + siblings + ": " + e.getMessage());
    }
    journals.sort(Comparator.comparing(RunContinuation::modified).reversed());
    for (Path file : journals) {
      if (Objects.equals(environment, lastRunEnvironment(file))) return file;
    }
    return null;
  }

  private static String lastRunEnvironment(Path file) {
    List<lms.rollback.audit.RunLog.Run> runs = lms.rollback.audit.RunLog.runs(Journal.reading(file));
    return runs.isEmpty() ? null : runs.get(runs.size() - 1).start().environment();
  }

  private static boolean sameFolder(Path a, Path b) {
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
