package lms.rollback.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.database.DatabaseRollback;
import lms.rollback.database.DatabaseUrl;
import lms.rollback.database.IntegrityChecks;
import lms.rollback.plan.Environment;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "db-rollback", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Roll the database migrations back (runbook §4.2 step 4), verified.",
        "",
        "alembic current, alembic downgrade to --target, alembic current again (it must be the target), then the plan's integrity checks (database.integrityChecks: no orphaned leave requests, …), each journaled and written as JUnit XML. alembic runs in Green's image in a Kubernetes Job (its logs streamed, the Job deleted afterwards) or as a local process (--executor local). The database URL comes from the variable the plan names (LMS_DATABASE_URL for production), never from the command line.",
        "",
        "Refused, with nothing changed: without the two-person authorization (DBA and Release Commander) recorded in the journal by 'lmsctl gate record --database' or lmsRollbackGate, unless --rehearsal; and when a migration to undo is in the plan's irreversibleRevisions. Running it again is safe: it never goes further down than the revision it first planned."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  rolled back (or already there) and every integrity check passed", "  2  invalid input or an irreversible migration: nothing changed",
        "  4  an integrity check failed", "  5  no two-person authorization: nothing changed",
        "  1  the downgrade failed: the message says at which revision the database is; restore from backup (lmsctl restore)", "",
        "Example:", "  LMS_DATABASE_URL=… lmsctl db-rollback --env production --trigger MAN-004 --junit database-junit.xml", ""})
final class DbRollbackCommand extends ClusterVerb {

  @Mixin DatabaseOptions database;

  @Option(names = "--trigger", paramLabel = "ID", description = "Only an authorization recorded for this trigger counts. Default: any in the journal.")
  String trigger;

  @Option(names = "--rehearsal", description = "A rehearsal on staging: no authorization needed; refused on production.")
  boolean rehearsal;

  @Option(names = "--junit", paramLabel = "FILE", description = "JUnit XML of the integrity checks. Default: --out-dir/data-integrity-junit.xml.")
  Path junit;

  @Override
  boolean mutates() {
    return true;
  }

  @Override
  Outcome run(ClusterSession cluster, Environment env) {
    if (rehearsal) lms.rollback.runbook.RollbackRun.checkRehearsalEnvironment(plan.plan(), plan.environmentName());
    var source = database.source();
    DatabaseUrl url = source.url(env);
    var dbPlan = plan.plan().database();
    DatabaseRollback.Result r = new DatabaseRollback(dbPlan, cluster.journal(), source.process(cluster, env, url, dbPlan, cluster.progress()),
        cluster.progress()).execute(new DatabaseRollback.Request(source.target(), rehearsal, trigger));
    List<CheckResult> checks = new IntegrityChecks(cluster.journal()).run(url, dbPlan.integrityChecks());
    Path xml = Checks.writeJUnit(junit != null ? junit : output.outDir().resolve(lms.rollback.runbook.DatabaseSteps.JUNIT_FILE), IntegrityChecks.SUITE, checks);
    boolean ok = checks.stream().allMatch(CheckResult::passed);
    List<String> text = new ArrayList<>();
    text.add(r.changed() ? "Database rolled back: " + r.before() + " -> " + r.after() + " (undid " + String.join(", ", r.undone()) + ")"
        : "Database already at " + r.after() + ": nothing to do");
    text.add("  via " + r.executor());
    checks.forEach(c -> text.add(c.line()));
    text.add("  JUnit XML: " + xml);
    Map<String, Object> data = new LinkedHashMap<>(r.asData());
    data.put("checks", checks.stream().map(CheckResult::asData).toList());
    data.put("passed", ok);
    data.put("junit", xml.toString());
    return new Outcome(ok ? ExitCode.OK : ExitCode.VERIFICATION_FAILED, data, text);
  }
}
