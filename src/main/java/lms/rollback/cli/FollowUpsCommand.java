package lms.rollback.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.RunbookTables;
import lms.rollback.report.ReportBuilder;
import lms.rollback.report.RollbackReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "followups", sortOptions = false, mixinStandardHelpOptions = true, subcommands = FollowUpsCommand.DoneVerb.class,
    description = {"The §7 follow-ups of the last rollback in the journal: each with its owner, its due time (from the rollback's end) and whether it is done, open or OVERDUE.",
        "",
        "Items the engine does itself (Green's logs preserved, the stakeholder mail sent) are ticked from the journal; a person ticks the others with 'lmsctl followups done'. Reading does not write to the journal."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  listed (also when items are open or overdue: see the JSON's 'overdue')", "", "Examples:",
        "  lmsctl followups --out-dir lms-rollback/build-41",
        "  lmsctl followups done --action \"Create incident ticket\" --note INC-2041 --actor rc.jones \\",
        "      --out-dir lms-rollback/build-41", ""})
final class FollowUpsCommand implements Callable<Integer> {

  @CommandLine.Mixin PlanOptions plan;
  @CommandLine.Mixin OutputOptions output;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--journal", paramLabel = "FILE", description = "Journal to read. Default: --out-dir/journal.jsonl.")
  Path journal;

  @Override
  public Integer call() {
    Path file = journal != null ? journal : output.outDir().resolve(Journal.FILE_NAME);
    RollbackReport report = new ReportBuilder(plan.plan()).build(file, null, null);
    Instant now = Instant.now();
    List<Map<String, Object>> items = new ArrayList<>();
    List<String> text = new ArrayList<>();
    text.add("Follow-ups of the rollback that ended " + lms.rollback.plan.Budget.format(java.time.Duration.between(report.ended(), now)) + " ago:");
    add(items, text, "§7.1", report.immediateActions(), now, plan.plan().time());
    add(items, text, "§7.2", report.rootCauseAnalysis(), now, plan.plan().time());
    add(items, text, "§7.3", report.correctiveActions(), now, plan.plan().time());
    long open = items.stream().filter(i -> !"done".equals(i.get("state"))).count();
    long overdue = items.stream().filter(i -> "overdue".equals(i.get("state"))).count();
    text.add(open + " open, " + overdue + " overdue");
    var out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(lms.rollback.core.TerminalText.json(Journal.json(Map.of("items", items, "open", open, "overdue", overdue))));
    } else {
      // a note is typed by a person: no escape sequence of it reaches the terminal
      text.forEach(line -> out.println(lms.rollback.core.TerminalText.line(line)));
    }
    out.flush();
    return ExitCode.OK;
  }

  private static void add(List<Map<String, Object>> items, List<String> text, String section, List<RollbackReport.FollowUp> list, Instant now,
      lms.rollback.plan.PlanTime time) {
    for (RollbackReport.FollowUp f : list) {
      String state = f.done() != null ? "done" : f.due() != null && now.isAfter(f.due()) ? "overdue" : "open";
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("section", section);
      m.put("action", f.action());
      m.put("owner", f.owner());
      m.put("due", f.due() == null ? null : f.due().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
      m.put("state", state);
      if (f.done() != null) m.put("done", f.done());
      items.add(m);
      text.add(String.format("  %-8s %s %-34s %-16s due %s", state.equals("done") ? "✓" : state.toUpperCase(), section, f.action(), f.owner(),
          f.dueText(time)) + (f.done() != null ? "  (" + f.done() + ")" : ""));
    }
  }

  @Command(name = "done", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Tick a follow-up of §7.1, §7.2 or §7.3 as done, with who (--actor) and a note (a ticket, a link), in the journal."},
      footer = {"", "Example:", "  lmsctl followups done --action \"Create incident ticket\" --note INC-2041 --actor rc.jones", ""})
  static final class DoneVerb extends Verb {

    @Option(names = "--action", required = true, paramLabel = "ITEM", description = "The follow-up, as the plan words it (e.g. \"Create incident ticket\").")
    String action;

    @Option(names = "--note", paramLabel = "TEXT", description = "What shows it is done: a ticket id, a link; at most " + MAX_NOTE_CHARS + " characters (longer: refused, exit 2). Default: none.")
    String note;

    static final int MAX_NOTE_CHARS = 2000;

    @Override
    int maxChars(String option) {
      return option.equals("--note") ? MAX_NOTE_CHARS : super.maxChars(option);
    }

    @Override
    Outcome execute(Journal journal) {
      List<RunbookTables.FollowUp> all = new ArrayList<>(plan.plan().immediateActions());
      all.addAll(plan.plan().rootCauseAnalysis());
      all.addAll(plan.plan().correctiveActions());
      if (lms.rollback.audit.RunLog.runs(journal).isEmpty()) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--out-dir: " + output.outDir() + " holds no rollback; tick a follow-up in the folder of the rollback"
            + " it follows (e.g. lms-rollback/build-41)");
      }
      RunbookTables.FollowUp item = all.stream().filter(f -> f.action().equalsIgnoreCase(action.strip())).findFirst().orElseThrow(() -> new LmsException(
          ExitCode.INVALID_INPUT, "--action: '" + action + "' is not a follow-up of the plan; allowed: "
              + String.join(", ", all.stream().map(f -> "\"" + f.action() + "\"").toList())));
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("action", item.action());
      if (note != null && !note.isBlank()) data.put("note", note.strip());
      Journal.Entry e = journal.append(Event.FOLLOWUP_DONE, data);
      return new Outcome(ExitCode.OK, Map.of("seq", e.seq(), "action", item.action()), List.of("Ticked: " + item.action() + " (entry " + e.seq() + ")"));
    }
  }
}
