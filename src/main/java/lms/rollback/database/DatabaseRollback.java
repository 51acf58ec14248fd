package lms.rollback.database;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.NotAuthorizedException;
import lms.rollback.plan.DatabasePlan;

/**
 * §4.2 step 4: alembic current, downgrade, current again — only with the two-person authorization
 * in the journal (or in a rehearsal), never through a migration the plan marks irreversible.
 *
 * <p>The target is made absolute and journaled before alembic runs, so that a second run (after a
 * crash, or by mistake) goes to the same revision instead of one step further down.
 */
public final class DatabaseRollback {
  private final DatabasePlan plan;
  private final Journal journal;
  private final Alembic alembic;
  private final Progress progress;

  public DatabaseRollback(DatabasePlan plan, Journal journal, MigrationProcess process, Progress progress) {
    this.plan = plan;
    this.journal = journal;
    this.alembic = new Alembic(process, journal);
    this.progress = progress;
  }

  /** {@code target}: -N, a revision, or base. {@code trigger} null: any recorded authorization counts. */
  public record Request(String target, boolean rehearsal, String trigger) {}

  public record Result(String before, String after, String target, boolean changed, List<String> undone, String executor) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("before", before);
      m.put("after", after);
      m.put("target", target);
      m.put("changed", changed);
      m.put("undone", undone);
      m.put("executor", executor);
      return m;
    }
  }

  /** The revision the database is at now. */
  public String current() {
    return alembic.current();
  }

  /** The revision the latest completed downgrade of this run went to, or null. */
  public String downgradedTo() {
    String to = null;
    for (Journal.Entry e : runEntries()) {
      if (e.is(Event.DATABASE_DOWNGRADED)) to = e.data().path("to").asText();
    }
    return to;
  }

  public Result execute(Request request) {
    String executor = alembic.process().describe();
    List<String> approvers = request.rehearsal() ? List.of() : requireAuthorization(request.trigger());
    progress.say("  alembic current (" + executor + ")");
    String before = alembic.current();
    JsonNode earlier = earlierPlan();
    String target;
    List<String> path;
    if (earlier != null && before.equals(earlier.path("to").asText())) {
      journal.append(Event.DATABASE_NOOP, Map.of("revision", before, "reason", "already at " + before + ", the target journaled at seq "
          + earlier.path("seq").asLong()));
      return new Result(before, before, before, false, List.of(), executor);
    }
    if (earlier != null && contains(earlier.path("path"), before)) {
      // an earlier run planned this downgrade and stopped on the way: finish it, do not go further
      target = earlier.path("to").asText();
      path = alembic.pathDown(before, target);
    } else {
      path = alembic.pathDown(before, request.target());
      target = path.isEmpty() ? before : alembic.parentOf(path.get(path.size() - 1));
    }
    for (String revision : path) {
      if (plan.irreversibleRevisions().contains(revision)) {
        journal.append(Event.DATABASE_REFUSED, Map.of("revision", revision, "reason", "irreversible", "current", before, "target", target));
        throw new LmsException(ExitCode.INVALID_INPUT, "refused: migration " + revision + " is marked irreversible in the plan "
            + "(database.irreversibleRevisions): its downgrade would lose data. Nothing was changed; restore from a backup instead (scenario D: lmsctl restore)");
      }
    }
    Map<String, Object> planned = new LinkedHashMap<>();
    planned.put("from", before);
    planned.put("to", target);
    planned.put("path", path);
    planned.put("executor", executor);
    planned.put("rehearsal", request.rehearsal());
    planned.put("authorizedBy", approvers);
    journal.append(Event.DATABASE_DOWNGRADE_PLANNED, planned);
    progress.say("  alembic downgrade " + target + " (from " + before + ", undoing " + String.join(", ", path) + ")");
    MigrationProcess.Run run = alembic.downgrade(target);
    String after;
    try {
      after = alembic.current();
    } catch (LmsException e) {
      after = "unknown (" + e.getMessage() + ")";
    }
    if (!run.ok() || !after.equals(target)) {
      String failedAt = Alembic.lastMigrationRun(run);
      Map<String, Object> failed = new LinkedHashMap<>();
      failed.put("from", before);
      failed.put("to", target);
      failed.put("at", after);
      failed.put("failedMigration", failedAt);
      failed.put("exitCode", run.exitCode());
      failed.put("error", Alembic.lastError(run));
      failed.put("output", run.tail(15));
      journal.append(Event.DATABASE_DOWNGRADE_FAILED, failed);
      throw new LmsException(ExitCode.OTHER, "alembic downgrade " + before + " -> " + target + " failed"
          + (failedAt == null ? "" : " in migration " + failedAt) + ": " + Alembic.lastError(run) + "; the database is at revision " + after
          + ". Stop here and restore from a backup (scenario D: lmsctl restore)");
    }
    journal.append(Event.DATABASE_DOWNGRADED, Map.of("from", before, "to", target, "after", after, "undone", path));
    return new Result(before, after, target, !path.isEmpty(), path, executor);
  }

  /** The approvers of the two-person authorization recorded for the run in progress, or a refusal (journaled). */
  private List<String> requireAuthorization(String trigger) {
    // an authorization given to an earlier run that ended authorizes nothing now
    List<Journal.Entry> entries = lms.rollback.audit.RunLog.read(journal).current();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Journal.Entry e = entries.get(i);
      if (e.is(Event.GATE_DATABASE_AUTHORIZED) && (trigger == null || trigger.equals(e.data().path("trigger").asText()))) {
        List<String> approvers = new ArrayList<>();
        e.data().path("approvers").forEach(a -> approvers.add(a.asText()));
        return approvers;
      }
    }
    journal.append(Event.DATABASE_REFUSED, Map.of("reason", "no two-person authorization in the journal", "trigger", String.valueOf(trigger)));
    throw new NotAuthorizedException("refused: a database rollback needs the two-person authorization (DBA and Release Commander, §4.2 step 4) "
        + "recorded in this journal" + (trigger == null ? "" : " for " + trigger) + ", and there is none. Record both with "
        + "'lmsctl gate record --database …' (or approve in lmsRollbackGate); a rehearsal passes --rehearsal. Nothing was changed");
  }

  /** The downgrade an earlier run of this rollback planned, if any (since the scenario's start). */
  private JsonNode earlierPlan() {
    JsonNode found = null;
    for (Journal.Entry e : runEntries()) {
      if (e.is(Event.DATABASE_DOWNGRADE_PLANNED)) {
        var data = ((com.fasterxml.jackson.databind.node.ObjectNode) e.data().deepCopy()).put("seq", e.seq());
        found = data;
      }
    }
    return found;
  }

  /** The entries of this journal's last run from its start on; the whole journal for a lone db-rollback (no run). */
  private List<Journal.Entry> runEntries() {
    lms.rollback.audit.RunLog log = lms.rollback.audit.RunLog.read(journal);
    return log.lastStart() == null ? log.entries() : log.sinceLastStart();
  }

  private static boolean contains(JsonNode array, String value) {
    for (JsonNode n : array) if (n.asText().equals(value)) return true;
    return false;
  }
}
