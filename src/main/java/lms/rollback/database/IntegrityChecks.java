package lms.rollback.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.plan.DatabasePlan.IntegrityCheck;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;

/**
 * §4.2 step 4's "data integrity verified, no orphaned records": the plan's queries, each of whose
 * single value must equal what the plan expects. A query that cannot run is inconclusive, which fails.
 */
public final class IntegrityChecks {

  public static final String SUITE = "lms-rollback.data-integrity";
  private static final int QUERY_TIMEOUT_SECONDS = 60;

  private final Journal journal;

  public IntegrityChecks(Journal journal) {
    this.journal = journal;
  }

  public List<CheckResult> run(DatabaseUrl url, List<IntegrityCheck> checks) {
    List<CheckResult> results = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url.jdbc(), url.jdbcProperties())) {
      c.setReadOnly(true);
      for (IntegrityCheck check : checks) results.add(Checks.journal(journal, SUITE, run(c, check)));
    } catch (SQLException e) {
      for (IntegrityCheck check : checks) {
        if (results.stream().noneMatch(r -> r.name().equals(check.name()))) {
          results.add(Checks.journal(journal, SUITE, CheckResult.inconclusive(check.name(), check.expect(), 0,
              "cannot reach the database " + url + ": " + e.getMessage())));
        }
      }
    }
    return results;
  }

  private static CheckResult run(Connection c, IntegrityCheck check) {
    long start = System.nanoTime();
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet rs = s.executeQuery(check.sql())) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (!rs.next()) return CheckResult.inconclusive(check.name(), check.expect(), millis, "the query returned no row");
        String value = String.valueOf(rs.getObject(1));
        return value.equals(check.expect()) ? CheckResult.pass(check.name(), value, check.expect(), millis)
            : CheckResult.fail(check.name(), value, check.expect(), millis, "");
      }
    } catch (SQLException e) {
      return CheckResult.inconclusive(check.name(), check.expect(), (System.nanoTime() - start) / 1_000_000, "query failed: " + e.getMessage());
    }
  }
}
