package lms.rollback.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.plan.Plan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "plan", sortOptions = false, mixinStandardHelpOptions = true,
    description = {
        "Validate a rollback plan and summarise it.",
        "",
        "Loads the plan (--plan FILE, or the built-in one), checks every field, and prints its environments, triggers and scenarios. With -o json, prints the whole plan as JSON — which is how the Jenkins steps read it. A bad plan exits 2 naming the file, the field and what is allowed."},
    footer = {"", "Example:", "  lmsctl plan --plan my-plan.yaml", ""})
final class PlanCommand implements Callable<Integer> {

  @Mixin PlanOptions plan;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Plan p = plan.plan();
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Journal.json(p));
    } else {
      out.printf("%s v%s — valid; rollback target %s%n", p.document(), p.version(), p.targetTime());
      p.environments().forEach((name, env) -> out.printf("  environment %-11s namespace %s, VirtualService %s, %s / %s%n", name,
          env.namespace(), env.virtualService(), env.blue().host(), env.green().host()));
      Map<String, Long> byType = new LinkedHashMap<>();
      p.triggers().forEach(t -> byType.merge(t.type().key(), 1L, Long::sum));
      out.printf("  triggers    %d (%s)%n", p.triggers().size(), byType);
      p.scenarios().forEach((name, s) -> out.printf("  scenario %s  %-34s target %-7s %d steps%n", name, s.title(), s.target(), s.steps().size()));
    }
    out.flush();
    return ExitCode.OK;
  }
}
