package lms.rollback.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.Authority;
import lms.rollback.gate.ContactChain;
import lms.rollback.gate.GatePlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "contacts", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Who is paged for a trigger, in the order of the emergency contact chain (runbook §3.3), with how to reach each, and who decides it (§3.1).",
        "",
        "DevOps On-Call and the Release Commander are paged for every trigger; the DBA On-Call for database issues (triggers that concern the database, and any scenario with a database step); Security On-Call for security triggers; Executive Escalation for business-critical ones. The rules and the addresses are in the plan (contactChain, roles). The same list is what an automatic trigger's alert from 'lmsctl watch' reaches, by email."},
    footer = {"", "Examples:", "  lmsctl contacts --trigger MAN-004", "  lmsctl contacts --trigger MAN-001 --scenario C -o json", ""})
final class ContactsCommand extends Verb {

  @Option(names = "--trigger", required = true, paramLabel = "ID", description = "Trigger id from the plan, e.g. MAN-001.")
  String trigger;

  @Option(names = "--scenario", paramLabel = "A|B|C|D", description = "Scenario to be run; one with a database step pages the DBA On-Call too. Default: none.")
  String scenario;

  @Override
  Outcome execute(Journal journal) {
    var p = plan.plan();
    List<ContactChain.Paged> paged = new ContactChain(p).paged(trigger, scenario);
    GatePlan gate = new Authority(p).gateFor(trigger, scenario);
    var t = p.trigger(trigger);
    List<String> text = new ArrayList<>();
    text.add(t.id() + " (" + t.type().key() + (t.concerns().isEmpty() ? "" : ", " + String.join(", ", t.concerns().stream().map(c -> c.key()).toList()))
        + "): " + t.condition());
    text.add(String.format("  %-5s %-22s %-24s %-34s %-16s %s", "ORDER", "ROLE", "WHEN", "EMAIL", "PHONE", "PAGED FOR"));
    for (ContactChain.Paged c : paged) {
      text.add(String.format("  %-5d %-22s %-24s %-34s %-16s %s", c.order(), c.title(), c.when(), c.email().isEmpty() ? "—" : String.join(", ", c.email()),
          c.phone().isEmpty() ? "—" : c.phone(), c.why()));
    }
    text.add(gate.approvalNeeded() ? "  decides: " + String.join(" -> ", gate.levels().stream().map(GatePlan.Level::title).toList())
        + " (each within " + lms.rollback.plan.Budget.format(gate.levels().get(0).window()) + ")" : "  decides: nobody, it rolls back at once (§2.1)");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("trigger", t.id());
    data.put("type", t.type().key());
    data.put("concerns", t.concerns().stream().map(c -> c.key()).toList());
    data.put("scenario", scenario);
    data.put("paged", paged.stream().map(ContactChain.Paged::asData).toList());
    data.put("deciders", gate.approvalNeeded() ? gate.levels().stream().map(GatePlan.Level::title).toList() : List.of());
    return new Outcome(ExitCode.OK, data, text);
  }
}
