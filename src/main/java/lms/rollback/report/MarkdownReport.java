package lms.rollback.report;

import static lms.rollback.report.Formats.duration;
import static lms.rollback.report.Formats.or;

import java.time.Instant;

/** The §8.2 report template, filled in, with the §8.1 audit items and §7 follow-ups. */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static String render(RollbackReport r) {
    StringBuilder md = new StringBuilder();
    md.append("# Rollback Incident Report\n\n");
    md.append("**Incident ID:** ").append(item(or(r.incidentId(), ReportIdentity.missing("incident")))).append("  \n");
    md.append("**Date:** ").append(r.time().date(r.started())).append("  \n");
    md.append("**Deployment ID:** ").append(item(or(r.deploymentId(), ReportIdentity.missing("deployment")))).append("  \n");
    md.append("**Environment:** ").append(or(r.environment(), "—")).append("  \n");
    md.append("**Outcome:** ").append(item(outcome(r))).append("  \n");
    md.append("**Report status:** ").append(item(IncidentSections.status(r))).append("\n\n");

    md.append("## Summary\n\n").append(item(summary(r))).append("\n\n");

    md.append("## Timeline\n\n| Time (" + r.zone() + ") | Event |\n|------|-------|\n");
    for (IncidentSections.Event e : IncidentSections.timeline(r)) {
      md.append("| ").append(e.at() == null ? "" : r.clock(e.at())).append(" | ").append(cell(e.what())).append(" |\n");
    }
    md.append('\n');

    md.append("## Trigger\n\n");
    if (r.trigger() != null) {
      md.append("- Type: ").append(r.trigger().templateType()).append("\n- Condition: ").append(r.trigger().id()).append(" ").append(r.trigger().condition())
          .append(r.trigger().threshold() == null ? "" : " (" + r.trigger().threshold() + ")").append('\n');
      if (r.trigger().measured() != null) md.append("- Measured: ").append(item(r.trigger().measured())).append('\n');
    } else {
      md.append("- Type: not journaled\n");
    }
    md.append("- Decision maker: ").append(item(r.decidedBy())).append('\n');
    if (!r.escalations().isEmpty()) md.append("- Escalations: ").append(item(String.join("; ", r.escalations()))).append('\n');
    md.append('\n');

    md.append("## Impact\n\n");
    IncidentSections.impact(r).forEach(line -> md.append("- ").append(item(line)).append('\n'));
    md.append("\n## Root Cause\n\n").append(item(IncidentSections.rootCause(r))).append("\n\n");

    // §8.2's order: what a reader signs off comes first, the audit detail after the approvals
    md.append("## Corrective Actions\n\n");
    Instant now = Instant.now();
    followUps(md, r, "Immediate actions (§7.1)", r.immediateActions(), now);
    followUps(md, r, "Root cause analysis (§7.2)", r.rootCauseAnalysis(), now);
    followUps(md, r, "Corrective actions (§7.3)", r.correctiveActions(), now);
    md.append("## Lessons Learned\n\n").append(item(IncidentSections.lessons(r))).append("\n\n## Approvals\n\n");
    IncidentSections.approvals(r).forEach(line -> md.append("- ").append(item(line)).append('\n'));
    md.append('\n');
    md.append("## Audit trail (§8.1)\n\n| Item | Value |\n|---|---|\n");
    md.append("| Rollback decision time | ").append(r.decision() != null ? r.clock(r.decision().at())
        : r.decisions().isEmpty() ? r.clock(r.started()) + (r.changedAnything() && r.trigger() != null && "automatic".equals(r.trigger().type()) ? " (automatic)" : " (no decision)")
        : r.clock(r.decisions().get(0).at())).append(" |\n");
    md.append("| Decision authority | ").append(cell(r.decidedBy())).append(" |\n");
    // each decision with its own reason: the trigger reason below is the requester's
    for (RollbackReport.Decision d : r.decisions()) {
      md.append("| Decision at ").append(r.clock(d.at())).append(" | ").append(cell(d.describe())).append(d.reason() == null || d.reason().isBlank() ? ""
          : ": " + cell(d.reason())).append(" |\n");
    }
    md.append("| Trigger reason | ").append(r.trigger() == null ? "—" : r.trigger().id() + " " + r.trigger().condition() + " (" + r.trigger().templateType() + ")")
        .append(r.trigger() == null || r.trigger().reason() == null ? "" : ": " + cell(r.trigger().reason())).append(" |\n");
    if (r.rehearsal() != null) md.append("| Rehearsal | ").append(cell(r.rehearsal())).append(" |\n");
    if (r.capability() != null) md.append("| Capability window (§1.2) | ").append(cell(r.capability())).append(" |\n");
    md.append("| Steps executed | ").append(r.steps().size()).append(" |\n");
    md.append("| Commands run | ").append(r.commands().size()).append(" |\n");
    md.append("| Verification results | ").append(r.checks().stream().filter(RollbackReport.Check::passed).count()).append(" of ")
        .append(r.checks().size()).append(" passed |\n");
    md.append("| Communication sent | ").append(r.communications().stream().filter(m -> m.status().equals("sent")).count()).append(" of ")
        .append(r.communications().size()).append(" |\n");
    md.append("| Total rollback time | ").append(duration(r.total())).append(" — machine ").append(duration(r.machineTime()))
        .append(", human decisions ").append(duration(r.humanTime())).append(" |\n");
    md.append("| Journal integrity | ").append(r.integrity().intact() ? "intact, head " + r.integrity().head().substring(0, 16) + "…" : "BROKEN: " + r.integrity().problem())
        .append(" |\n\n");

    if (!r.checklist().isEmpty()) {
      md.append("### Pre-rollback checklist (§4.1)\n\n| # | Action | Owner | State | Detail |\n|---|---|---|---|---|\n");
      r.checklist().forEach(c -> md.append("| ").append(c.step()).append(" | ").append(c.action()).append(" | ").append(c.owner()).append(" | ")
          .append(c.state()).append(" | ").append(cell(c.detail())).append(" |\n"));
      md.append('\n');
    }
    md.append("### Steps executed\n\n| Step | Started | Took | Budget | Result | Detail |\n|---|---|---|---|---|---|\n");
    for (RollbackReport.Step s : r.steps()) {
      md.append("| ").append(s.title()).append(" | ").append(r.clock(s.start())).append(" | ").append(duration(s.took())).append(" | ")
          .append(duration(s.budget())).append(" | ").append(!s.ok() ? "FAILED" : s.overBudget() ? "over budget" : "ok").append(" | ")
          .append(cell(s.detail())).append(" |\n");
    }
    md.append("\n### Commands run\n\n| Time | By | Command | Arguments | Outcome |\n|---|---|---|---|---|\n");
    for (RollbackReport.Command c : r.commands()) {
      md.append("| ").append(r.clock(c.at())).append(" | ").append(cell(c.actor())).append(" | ").append(cell(c.command())).append(" | `")
          .append(cell(c.arguments())).append("` | ").append(cell(c.outcome())).append(" |\n");
    }
    md.append("\n### Verification results\n\n| Time | Check | Result | Detail |\n|---|---|---|---|\n");
    for (RollbackReport.Check c : r.checks()) {
      md.append("| ").append(r.clock(c.at())).append(" | ").append(c.name()).append(" | ").append(c.status()).append(" | ").append(cell(c.detail())).append(" |\n");
    }
    md.append("\n### Communication sent\n\n| Time | Message | Channel | Status |\n|---|---|---|---|\n");
    for (RollbackReport.Message m : r.communications()) {
      md.append("| ").append(r.clock(m.at())).append(" | ").append(m.message()).append(" | ").append(m.channel()).append(" | ").append(m.status())
          .append(m.detail().isEmpty() ? "" : ": " + cell(m.detail())).append(" |\n");
    }
    if (!r.schedule().isEmpty()) {
      md.append("\n### Communication schedule (§6.1): planned against sent\n\n| Due | Message | Channel | Owner | Sent | |\n|---|---|---|---|---|---|\n");
      for (RollbackReport.Scheduled s : r.schedule()) {
        md.append("| T+").append(duration(s.at())).append(" (").append(r.clock(s.planned())).append(") | ").append(s.message()).append(" | ").append(s.channel())
            .append(" | ").append(cell(s.owner())).append(" | ").append(s.sent() == null ? "—" : r.clock(s.sent())).append(" | ")
            .append(s.flagged() ? "**" + cell(s.state()) + "**" : cell(s.state())).append(" |\n");
      }
    }
    if (!r.humanWaits().isEmpty() || !r.gateNotices().isEmpty()) {
      md.append("\n### Human decisions (kept apart from machine time)\n\n")
          .append("Waiting for people: ").append(duration(r.humanTime())).append("; machine time in steps: ").append(duration(r.machineTime())).append(".\n\n")
          .append("| Prompt opened | Prompt — outcome | Prompt open → decision |\n|---|---|---|\n");
      for (RollbackReport.HumanWait w : r.humanWaits()) {
        md.append("| ").append(r.clock(w.start())).append(" | ").append(cell(w.label())).append(" | ").append(duration(w.took())).append(" |\n");
      }
      md.append("\n#### Reaching the deciders\n\n| Time | Notice | Prompt | Decides | Reached | Channels |\n|---|---|---|---|---|---|\n");
      for (RollbackReport.GateNotice n : r.gateNotices()) {
        md.append("| ").append(r.clock(n.at())).append(" | ").append(n.kind()).append(" | ").append(n.prompt()).append(" | ").append(cell(n.decider()))
            .append(" | ").append(cell(String.join(", ", n.reached()))).append(" | ").append(cell(n.channels())).append(" |\n");
      }
    }

    return md.toString();
  }

  private static void followUps(StringBuilder md, RollbackReport r, String title, java.util.List<RollbackReport.FollowUp> items, Instant now) {
    if (items.isEmpty()) return;
    md.append("### ").append(title).append("\n\n| Action | Owner | Due | Status |\n|---|---|---|---|\n");
    items.forEach(f -> md.append("| ").append(cell(f.action())).append(" | ").append(cell(f.owner())).append(" | ").append(cell(f.dueText(r.time())))
        .append(" | ").append(cell(f.status(now))).append(" |\n"));
    md.append('\n');
  }

  static String outcome(RollbackReport r) {
    String users = switch (r.restoration()) {
      case RESTORED -> " — SERVICE RESTORED: traffic is on a Blue that passed its checks; Green's shutdown is a follow-up (cleanup overdue)";
      case UNVERIFIED -> " — traffic on Blue, NOT VERIFIED: not checked: " + String.join(", ", r.notChecked());
      default -> "";
    };
    return ended(r) + users;
  }

  private static String ended(RollbackReport r) {
    return switch (r.outcome()) {
      // §10's step verbs: the steps they ran; other single verbs: the commands that ran
      case COMPLETED -> r.scenario() == null && !r.steps().isEmpty()
          ? "the steps were run one by one (§10): " + String.join(", ", r.steps().stream().map(RollbackReport.Step::title).distinct().toList())
              + " ended without error in " + duration(r.total())
          : r.scenario() == null
          ? "single lmsctl commands, no scenario run: " + r.commands().size() + " command(s) ended without error in " + duration(r.total())
          : "completed in " + duration(r.total()) + (r.withinTarget() ? " (within" : " (OVER") + " the " + duration(r.targetTime()) + " target)";
      case FAILED -> "FAILED at " + r.stoppedAt() + ": " + r.stopReason();
      case INTERRUPTED -> "INTERRUPTED " + (r.stoppedAt() != null && (r.stoppedAt().startsWith("after") || r.stoppedAt().startsWith("before"))
          ? r.stoppedAt() : "during " + r.stoppedAt()) + ": " + r.stopReason();
      case REJECTED -> "NOT STARTED, not authorized: " + r.stopReason();
      case REFUSED -> "NOT STARTED, refused by its preflight: " + r.stopReason();
    };
  }

  static String summary(RollbackReport r) {
    String what = r.scenario() == null ? "Rollback steps" : "Scenario " + r.scenario() + " (" + r.scenarioTitle() + ")";
    String env = r.environment() == null ? "" : " on " + r.environment();
    String trig = r.trigger() == null ? "" : ", triggered by " + r.trigger().id() + " " + r.trigger().condition();
    return what + env + trig + ": " + outcome(r) + ".";
  }

  /**
   * Text a person typed (a reason, an id) as one Markdown table cell: no line break to start a forged row, no pipe
   * to split the cell, no HTML, no control character.
   */
  static String cell(String s) {
    if (s == null) return "";
    // a line break is one space (CRLF too); every other control character as on a terminal
    return lms.rollback.core.TerminalText.line(s.replaceAll("\\R", " ")).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Text as one Markdown list item: the same, pipes allowed. */
  static String item(String s) {
    return s == null ? "" : cell(s).replace("\\|", "|");
  }
}
