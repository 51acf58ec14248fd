package lms.rollback.cli;

import java.nio.file.Path;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import picocli.CommandLine.Option;

/** --plan and --env, shared by every verb that reads the plan. */
public final class PlanOptions {

  public static final String DEFAULT_ENV = "production";

  @Option(names = "--plan", paramLabel = "FILE", description = "Rollback plan (YAML). Default: the built-in LMS-PHASE29-ROLLBACK-001 plan.")
  Path planFile;

  @Option(names = "--env", paramLabel = "NAME", defaultValue = DEFAULT_ENV,
      description = "Environment of the plan to act on. Default: ${DEFAULT-VALUE}.")
  String environment;

  private Plan plan;

  public Plan plan() {
    if (plan == null) plan = new PlanLoader().load(planFile);
    return plan;
  }

  /** The same plan and environment on a command printed for a person. */
  public lms.rollback.core.PrintedCommand onto(lms.rollback.core.PrintedCommand c) {
    return c.option("--plan", planFile == null ? null : planFile.toAbsolutePath()).option("--env", DEFAULT_ENV.equals(environment) ? null : environment);
  }

  public String environmentName() {
    return environment;
  }

  public Environment environment() {
    return plan().environment(environment);
  }
}
