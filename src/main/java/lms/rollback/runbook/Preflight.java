package lms.rollback.runbook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.RouteTable;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import lms.rollback.verify.PrometheusClient;
import lms.rollback.verify.SmokeSuite;

/**
 * What a run checks before its first change, so that a run that cannot finish does not start:
 * the environment's objects, Blue's capacity, Prometheus answering, the smoke tests' credentials
 * and, for the database scenarios, their inputs. Every check is journaled; all that fail are
 * named together, and nothing has been changed (or announced) when it refuses.
 */
public final class Preflight {

  /**
   * One check: what was looked at, whether it holds, and what was seen. {@code blocking}: whether its failure refuses
   * the run; one that does not (Prometheus down) is said, journaled and carried into the run, which then cannot verify.
   */
  public record Check(String name, boolean ok, String seen, int exitCode, boolean blocking) {
    public Check(String name, boolean ok, String seen, int exitCode) {
      this(name, ok, seen, exitCode, true);
    }
  }

  private final ClusterSession cluster;
  private final Environment env;
  private final Scenario scenario;
  private final RollbackSteps.Probes probes;
  private final Path dump;

  /** {@code probes}: null when the run verifies from the cluster's view only; {@code dump}: scenario D's backup, else null. */
  public Preflight(ClusterSession cluster, Environment env, Scenario scenario, RollbackSteps.Probes probes, Path dump) {
    this.cluster = cluster;
    this.env = env;
    this.scenario = scenario;
    this.probes = probes;
    this.dump = dump;
  }

  private CapabilityDecision capability;
  private String scenarioName;

  /** §1.2: the run's capability window is checked too (24 h+ refuses a switch-only scenario without an override). */
  public Preflight capability(CapabilityDecision decision, String scenarioName) {
    this.capability = decision;
    this.scenarioName = scenarioName;
    return this;
  }

  /** Runs every check; returns a line of what it saw, or throws naming each check that failed. */
  public String run() {
    List<Check> checks = checks();
    for (Check c : checks) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("name", c.name());
      data.put("ok", c.ok());
      data.put("seen", c.seen());
      if (!c.ok() && !c.blocking()) data.put("blocking", false);
      cluster.journal().append(Event.PREFLIGHT_CHECK, data);
    }
    List<Check> failed = checks.stream().filter(c -> !c.ok() && c.blocking()).toList();
    if (!failed.isEmpty()) {
      throw new LmsException(failed.get(0).exitCode(), String.join("; ", failed.stream().map(c -> c.name() + ": " + c.seen()).toList()));
    }
    return String.join("; ", checks.stream().map(c -> c.ok() ? c.name() + " ok" : c.name() + " NOT ok (" + c.seen() + ")").toList());
  }

  List<Check> checks() {
    List<Check> checks = new ArrayList<>();
    if (uses(StepAction.SWITCH_TRAFFIC) || uses(StepAction.VERIFY_BLUE) || uses(StepAction.MAINTENANCE_ON)) checks.add(routes());
    if (uses(StepAction.SWITCH_TRAFFIC) || uses(StepAction.VERIFY_BLUE) || uses(StepAction.REDEPLOY_BLUE)) checks.add(blue());
    if (uses(StepAction.STOP_GREEN)) checks.add(green());
    if (probes != null && uses(StepAction.VERIFY_BLUE)) checks.add(prometheus());
    if (probes != null && (uses(StepAction.CONFIRM) || uses(StepAction.VERIFY_RESTORE))) checks.add(smokeCredentials());
    if (uses(StepAction.RESTORE_DATABASE)) checks.add(backup());
    if (capability != null) {
      String refusal = capability.refusal(scenario, scenarioName);
      checks.add(new Check("Capability window (§1.2)", refusal == null, refusal == null ? capability.describe() : refusal,
          ExitCode.CLUSTER_STATE));
    }
    return checks;
  }

  private boolean uses(StepAction action) {
    return scenario.steps().stream().anyMatch(s -> s.action() == action);
  }

  private Check routes() {
    String name = "VirtualService " + env.namespace() + "/" + env.virtualService();
    try {
      RouteTable routes = RouteTable.of(cluster.virtualService(env), env);
      if (!routes.hasLmsRoutes()) return new Check(name, false, "no route sends to " + env.blue().host() + " or " + env.green().host(), ExitCode.CLUSTER_STATE);
      return new Check(name, true, String.join("; ", routes.describe()), ExitCode.OK);
    } catch (LmsException e) {
      return new Check(name, false, e.getMessage(), e.exitCode());
    }
  }

  private Check blue() {
    String name = "Blue capacity";
    try {
      BlueCapacity blue = BlueCapacity.of(cluster, env);
      return new Check(name, blue.sufficient(), blue.describe(), ExitCode.CLUSTER_STATE);
    } catch (LmsException e) {
      return new Check(name, false, e.getMessage(), e.exitCode());
    }
  }

  private Check green() {
    String name = "Green deployment";
    try {
      var green = cluster.deployment(env.namespace(), env.green().deployment());
      return new Check(name, true, "Deployment " + env.green().deployment() + " has " + ClusterSession.replicas(green) + " replica(s)", ExitCode.OK);
    } catch (LmsException e) {
      return new Check(name, false, e.getMessage(), e.exitCode());
    }
  }

  private Check prometheus() {
    String name = "Prometheus";
    try {
      probes.prometheus().instant("vector(1)", Instant.now());
      return new Check(name, true, "answers at " + probes.prometheus().url(), ExitCode.OK);
    } catch (PrometheusClient.Unanswered e) {
      // switching back to the known good release is still the safe move; what cannot be decided is Blue's health (#36)
      return new Check(name, false, "does not answer at " + probes.prometheus().url() + " (" + e.getMessage()
          + "); the run may still switch traffic to Blue, but cannot verify it: Green is kept running and the run ends switched, unverified",
          ExitCode.CLUSTER_STATE, false);
    }
  }

  private Check smokeCredentials() {
    List<String> missing = SmokeSuite.missingVariables(probes.plan().smokeChecks(), probes.credentials());
    return new Check("Smoke test credentials", missing.isEmpty(), missing.isEmpty() ? "every variable the smoke checks name is set"
        : String.join(", ", missing) + " not set: the smoke tests of the last step would fail", ExitCode.INVALID_INPUT);
  }

  private Check backup() {
    String name = "Backup to restore";
    if (dump == null) return new Check(name, false, "--dump: scenario D restores a backup; name the pg_dump archive (-Fc)", ExitCode.INVALID_INPUT);
    if (!Files.isRegularFile(dump) || !Files.isReadable(dump)) {
      return new Check(name, false, "--dump: " + dump + " is not a readable file", ExitCode.INVALID_INPUT);
    }
    return new Check(name, true, dump + " readable", ExitCode.OK);
  }
}
