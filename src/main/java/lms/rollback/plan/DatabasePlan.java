package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * §4.2 step 4 and §5.4 as data: how alembic is run, which migrations may not be downgraded, the
 * integrity checks that follow a downgrade, and how a backup is restored.
 */
public record DatabasePlan(
    @JsonProperty(required = true) AlembicCommands alembic,
    List<String> irreversibleRevisions,
    List<IntegrityCheck> integrityChecks,
    @JsonProperty(required = true) List<String> restoreCommand,
    @JsonProperty(required = true) Budget restoreTimeout) {

  public DatabasePlan {
    irreversibleRevisions = irreversibleRevisions == null ? List.of() : List.copyOf(irreversibleRevisions);
    integrityChecks = integrityChecks == null ? List.of() : List.copyOf(integrityChecks);
    restoreCommand = List.copyOf(restoreCommand);
  }

  /**
   * The alembic command for each executor: a process on this machine (Debian's python3-alembic
   * has no alembic script, hence python3 -m alembic), or Green's image in a Kubernetes Job.
   */
  public record AlembicCommands(
      @JsonProperty(required = true) List<String> local,
      @JsonProperty(required = true) List<String> job,
      @JsonProperty(required = true) Budget timeout) {
    public AlembicCommands {
      local = List.copyOf(local);
      job = List.copyOf(job);
    }
  }

  /** A query whose single value must equal {@code expect}, e.g. a count of orphaned rows that must be 0. */
  public record IntegrityCheck(
      @JsonProperty(required = true) String name,
      @JsonProperty(required = true) String sql,
      @JsonProperty(required = true) String expect) {}
}
