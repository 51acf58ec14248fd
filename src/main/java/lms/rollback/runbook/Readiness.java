package lms.rollback.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables.Rehearsal;
import lms.rollback.audit.Event;
import lms.rollback.report.RehearsalScorecard;
import lms.rollback.report.ReportBuilder;

/**
 * §9.1 before a deployment: is each rollback test this release needs fresh enough? Read from the journals of
 * rehearsal runs (the folders Jenkins archives, or any copy of them): a completed run with --rehearsal, of a
 * scenario the test accepts, not on production, from a journal whose hash chain is intact.
 */
public final class Readiness {

  /**
   * One completed rehearsal run, as its journal tells it. {@code failedItems}: the §9.2 items its scorecard failed, or
   * null when it passed: a rehearsal that did not pass its scorecard tested nothing a release can rely on.
   */
  public record Record(String scenario, String environment, String release, Instant ended, Path journal, String failedItems) {
    public boolean scorecardPassed() {
      return failedItems == null;
    }
  }

  /** One test of §9.1: needed or not for this release, the rehearsal that satisfies it (or the latest one that does not), and why. */
  public record Verdict(Rehearsal test, boolean required, boolean satisfied, Record evidence, String why) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("test", test.test());
      m.put("title", test.title());
      m.put("owner", test.owner());
      m.put("frequency", test.frequency());
      m.put("required", required);
      m.put("state", !required ? "not-required" : satisfied ? "ready" : "missing");
      m.put("why", why);
      if (evidence != null) {
        m.put("scenario", evidence.scenario());
        m.put("environment", evidence.environment());
        m.put("release", evidence.release());
        m.put("ended", evidence.ended().toString());
        m.put("journal", evidence.journal().toString());
        m.put("scorecard", evidence.scorecardPassed() ? "passed" : "failed: " + evidence.failedItems());
      }
      return m;
    }
  }

  private final Plan plan;
  private final List<String> ignored = new ArrayList<>();

  public Readiness(Plan plan) {
    this.plan = plan;
  }

  /** Journals that were not read, and why (a broken hash chain: a record that was edited counts for nothing). */
  public List<String> ignored() {
    return List.copyOf(ignored);
  }

  /** Every completed rehearsal run in the journals under {@code dirs}. */
  public List<Record> records(List<Path> dirs) {
    List<Record> records = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) throw new LmsException(ExitCode.INVALID_INPUT, "--records: " + dir + " is not a directory");
      try (Stream<Path> files = Files.walk(dir, 8)) {
        for (Path journal : files.filter(f -> f.getFileName().toString().equals(Journal.FILE_NAME)).sorted().toList()) {
          var chain = ChainVerifier.verify(journal, null);
          if (!chain.intact()) {
            ignored.add(journal + ": " + chain.problem());
            continue;
          }
          records.addAll(completedRehearsals(journal, plan));
        }
      } catch (IOException e) {
        throw new LmsException(ExitCode.OTHER, "cannot read " + dir + ": " + e.getMessage(), e);
      }
    }
    return records;
  }

  /**
   * The rehearsal runs of {@code journal} that reached their end (a stop the run later resumed from and completed counts),
   * each with its §9.2 scorecard: the one journaled after its end, or — for a journal written before scorecards were
   * journaled — its last run scored now from the journal.
   */
  private static List<Record> completedRehearsals(Path journal, Plan plan) {
    List<Journal.Entry> entries = Journal.reading(journal).read();
    List<lms.rollback.audit.RunLog.Run> runs = lms.rollback.audit.RunLog.runs(Journal.reading(journal));
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      var r = runs.get(i);
      if (!r.start().rehearsal() || !r.reachedItsEnd()) continue;
      long until = i + 1 < runs.size() ? runs.get(i + 1).start().seq() : Long.MAX_VALUE;
      Journal.Entry scored = entries.stream().filter(e -> e.is(Event.REHEARSAL_SCORED) && e.seq() > r.end().seq() && e.seq() < until)
          .findFirst().orElse(null);
      String failed;
      if (scored != null) {
        failed = scored.data().path("passed").asBoolean(false) ? null : failedItems(scored);
      } else if (i == runs.size() - 1) {
        failed = scoredNow(journal, plan);
      } else {
        failed = "no scorecard was recorded for it";
      }
      records.add(new Record(r.start().scenario(), r.start().environment(), r.start().data().path("release").asText(null), r.end().ts(), journal,
          failed));
    }
    return records;
  }

  /** The failures of the journal's last run scored now, or null when it passes. */
  private static String scoredNow(Path journal, Plan plan) {
    try {
      var scores = RehearsalScorecard.score(new ReportBuilder(plan).build(journal, null, null), plan);
      return RehearsalScorecard.passed(scores) ? null : RehearsalScorecard.failures(scores);
    } catch (LmsException e) {
      return "its scorecard could not be scored: " + e.getMessage();
    }
  }

  private static String failedItems(Journal.Entry scored) {
    List<String> failed = new ArrayList<>();
    scored.data().path("items").forEach(item -> {
      if (item.path("state").asText().equals("failed")) {
        failed.add("#" + item.path("id").asText() + " " + item.path("test").asText() + " (measured " + item.path("measured").asText() + ")");
      }
    });
    return failed.isEmpty() ? "it did not pass" : String.join("; ", failed);
  }

  /**
   * The verdict for each test of the plan, for {@code release} (with or without migrations), at {@code now}. Without a
   * release (a timer asking what is due), the tests tied to a release are not required: a deployment pipeline runs them.
   * Freshness is judged {@code ahead} of now: a timer asks what would be stale by its next run.
   */
  public List<Verdict> check(String release, boolean migrations, List<Record> records, Instant now, Duration ahead) {
    Instant judged = now.plus(ahead);
    List<Verdict> verdicts = new ArrayList<>();
    for (Rehearsal t : plan.rehearsals()) {
      boolean perRelease = release == null && t.sameRelease();
      boolean required = !perRelease && (!t.onlyWithMigrations() || migrations);
      List<Record> kind = records.stream().filter(r -> t.scenarios().contains(r.scenario()) && countsOn(t, r.environment()))
          .sorted(Comparator.comparing(Record::ended).reversed()).toList();
      Record fresh = kind.stream().filter(Record::scorecardPassed).filter(r -> !t.sameRelease() || Objects.equals(release, r.release()))
          .filter(r -> t.withinDays() == null || Duration.between(r.ended(), judged).toDays() < t.withinDays()).findFirst().orElse(null);
      String why;
      if (perRelease) {
        why = "rehearsed for each release by its deployment pipeline (give --release to check one)";
      } else if (!required) {
        why = "not needed: the release has no migrations";
      } else if (fresh != null) {
        why = "passed " + age(fresh.ended(), now) + " ago on " + fresh.environment() + " (scenario " + fresh.scenario()
            + (fresh.release() == null ? "" : ", release " + fresh.release()) + ")";
      } else if (kind.isEmpty()) {
        why = "no completed rehearsal of scenario " + String.join("/", t.scenarios()) + " on " + t.environment() + " found";
      } else {
        Record latest = kind.get(0);
        why = !latest.scorecardPassed() ? "the latest (" + age(latest.ended(), now) + " ago on " + latest.environment() + ", scenario " + latest.scenario()
            + ") did not pass its §9.2 scorecard: " + latest.failedItems() + "; it counts for nothing"
            : "the latest (" + age(latest.ended(), now) + " ago, release " + latest.release() + ") "
            + (t.sameRelease() ? "did not test release " + release
                : (ahead.isZero() ? "is" : "will be, in " + ahead.toDays() + " days,") + " older than " + t.withinDays() + " days");
      }
      verdicts.add(new Verdict(t, required, fresh != null, fresh != null ? fresh : kind.isEmpty() ? null : kind.get(0), why));
    }
    return verdicts;
  }

  /** A rehearsal never counts from production; on the test's environment when the plan has it, else anywhere else. */
  private boolean countsOn(Rehearsal t, String environment) {
    if ("production".equals(environment)) return false;
    return !plan.environments().containsKey(t.environment()) || t.environment().equals(environment);
  }

  private static String age(Instant then, Instant now) {
    Duration d = Duration.between(then, now);
    return d.toDays() > 0 ? d.toDays() + "d" : d.toHours() > 0 ? d.toHours() + "h" : d.toMinutes() + "m";
  }
}
