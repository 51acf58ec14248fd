package lms.rollback.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.Authority;
import lms.rollback.gate.GatePlan;
import lms.rollback.plan.Trigger;
import picocli.CommandLine.Command;

@Command(name = "triggers", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"List the rollback triggers of the plan (runbook §2): id, condition, threshold, how it is measured, who decides and how fast, and what happens."},
    footer = {"", "Example:", "  lmsctl triggers -o json", ""})
final class TriggersCommand extends Verb {

  @Override
  Outcome execute(Journal journal) {
    var plan = this.plan.plan();
    Authority authority = new Authority(plan);
    double baseline = plan.verification().latencyBaseline().limit().toMillis() / 1000.0;
    List<Map<String, Object>> data = new ArrayList<>();
    List<String> text = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "TYPE", "CONDITION", "THRESHOLD", "MEASURED AS", "DECIDE IN", "DECIDED BY"});
    for (Trigger t : plan.triggers()) {
      GatePlan gate = authority.gateFor(t.id(), null);
      String measured = t.measure() == null ? "(judged by a person)" : t.measure().describe(baseline);
      String decidedBy = t.needsApproval() ? gate.levels().get(0).title() : "nobody: " + (t.action() == null ? "automatic" : t.action());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", t.id());
      m.put("type", t.type().key());
      m.put("condition", t.condition());
      m.put("threshold", t.threshold());
      m.put("measure", t.measure() == null ? null : measured);
      m.put("decisionTime", t.decisionTime().toString());
      m.put("authority", gate.levels().get(0).title());
      m.put("approvalNeeded", t.needsApproval());
      m.put("action", t.needsApproval() ? "ask " + gate.levels().get(0).title() : t.action());
      data.add(m);
      rows.add(new String[] {t.id(), t.type().key(), t.condition(), t.threshold() == null ? "" : t.threshold(), measured,
          String.valueOf(t.decisionTime()), decidedBy});
    }
    text.addAll(columns(rows));
    return new Outcome(ExitCode.OK, data, text);
  }

  /** Each column as wide as its widest cell, so a long value never pushes the rest of its row out of line. */
  static List<String> columns(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }
}
