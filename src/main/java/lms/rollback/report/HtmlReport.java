package lms.rollback.report;

import static lms.rollback.report.Formats.duration;

import java.time.Duration;
import java.time.Instant;

/**
 * The report as one self-contained HTML page: no scripts, no external files, so it can be
 * archived on a build or mailed. Its timeline draws each step against its budget, the rollback
 * target as a line, and the time people took to decide in a lane of its own.
 */
public final class HtmlReport {
  private HtmlReport() {}

  private static final int CHART_WIDTH = 860;
  private static final int LABEL_WIDTH = 210;
  private static final int ROW = 26;

  public static String render(RollbackReport r) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rollback report ")
        .append(esc(Formats.or(r.incidentId(), ""))).append("</title>\n<style>")
        .append("body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2630;margin:32px auto;max-width:1140px;padding:0 24px}")
        .append("h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}")
        .append(".meta{color:#5b6b7b}.badge{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600;color:#fff}")
        .append(".ok{background:#1f8a4c}.fail{background:#c0392b}.warn{background:#d68910}")
        .append(".figures{display:flex;gap:14px;margin:16px 0}.fig{flex:1;border:1px solid #dde3ea;border-radius:8px;padding:10px 14px}")
        .append(".fig b{display:block;font-size:22px}.fig span{color:#5b6b7b;font-size:12px}")
        .append("table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e8edf2;padding:5px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#f5f7fa;font-weight:600}td.num{white-space:nowrap}code{font-size:12px;color:#34495e;word-break:break-all}")
        .append(".pass{color:#1f8a4c;font-weight:600}.failed{color:#c0392b;font-weight:600}.slow{color:#d68910;font-weight:600}")
        .append(".legend span{display:inline-block;margin-right:16px;font-size:12px;color:#5b6b7b}.legend i{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:middle}")
        .append("</style></head><body>\n");

    String badgeClass = switch (r.outcome()) {
      case COMPLETED -> r.withinTarget() && r.notChecked().isEmpty() ? "ok" : "warn";
      case FAILED, INTERRUPTED -> r.restoration() == RollbackReport.Restoration.NOT_RESTORED ? "fail" : "warn";
      case REJECTED, REFUSED -> "warn";
    };
    // what users have first: a late cleanup after a verified switch is not a failed rollback, an unchecked Blue not a complete one
    String badge = switch (r.restoration()) {
      case RESTORED -> "SERVICE RESTORED";
      case UNVERIFIED -> "UNVERIFIED";
      default -> r.outcome().name();
    };
    h.append("<h1>Rollback Incident Report</h1>\n<p class=\"meta\">Incident <b>").append(esc(Formats.or(r.incidentId(), ReportIdentity.missing("incident"))))
        .append("</b> · Deployment <b>").append(esc(Formats.or(r.deploymentId(), ReportIdentity.missing("deployment")))).append("</b> · ")
        .append(r.time().date(r.started())).append(" · environment <b>").append(esc(Formats.or(r.environment(), "—"))).append("</b></p>\n");
    h.append("<p class=\"meta\">Report status: <b>").append(esc(IncidentSections.status(r))).append("</b></p>\n");
    h.append("<p><span class=\"badge ").append(badgeClass).append("\">").append(badge).append("</span> ")
        .append(esc(MarkdownReport.summary(r))).append("</p>\n");

    h.append("<div class=\"figures\">");
    figure(h, duration(r.total()), "total rollback time (target " + duration(r.targetTime()) + ") = machine + human + the rest ("
        + duration(r.otherTime()) + ")");
    figure(h, duration(r.machineTime()), "machine time in steps");
    figure(h, duration(r.humanTime()), "human decision time");
    figure(h, r.checks().stream().filter(RollbackReport.Check::passed).count() + " / " + r.checks().size(), "checks passed");
    h.append("</div>\n");

    h.append("<h2>Timeline</h2>\n<table><tr><th>Time (" + r.zone() + ")</th><th>Event</th></tr>\n");
    for (IncidentSections.Event e : IncidentSections.timeline(r)) {
      h.append("<tr><td class=\"num\">").append(e.at() == null ? "" : r.clock(e.at())).append("</td><td>").append(esc(e.what())).append("</td></tr>\n");
    }
    h.append("</table>\n").append(timeline(r));
    h.append("<p class=\"legend\"><span><i style=\"background:#d6e4f0\"></i>step budget</span><span><i style=\"background:#1f8a4c\"></i>step, within budget</span>")
        .append("<span><i style=\"background:#d68910\"></i>over budget</span><span><i style=\"background:#c0392b\"></i>failed</span>")
        .append("<span><i style=\"background:#8e44ad\"></i>waiting for a person</span><span><i style=\"background:#c0392b;height:2px\"></i>")
        .append(duration(r.targetTime())).append(" target</span></p>\n");

    h.append("<h2>Trigger and decision</h2>\n<table><tr><th>Trigger</th><td>");
    h.append(r.trigger() == null ? "not journaled" : esc(r.trigger().id() + " — " + r.trigger().condition()
        + (r.trigger().threshold() == null ? "" : " (" + r.trigger().threshold() + ")") + ", " + r.trigger().templateType()
        + (r.trigger().reported() == null || r.trigger().reported().isBlank() ? "" : "; reported: " + r.trigger().reported())
        + (r.trigger().measured() == null ? "" : "; measured: " + r.trigger().measured())));
    if (r.rehearsal() != null) h.append("</td></tr><tr><th>Rehearsal</th><td>").append(esc(r.rehearsal()));
    if (r.capability() != null) h.append("</td></tr><tr><th>Capability window (§1.2)</th><td>").append(esc(r.capability()));
    h.append("</td></tr><tr><th>Decision</th><td>");
    h.append(esc(r.decidedBy()));
    for (RollbackReport.Decision d : r.decisions()) {
      h.append("<br>").append(r.clock(d.at())).append(" " + r.zone() + " — ").append(esc(d.by())).append(": “").append(esc(d.reason())).append("”");
    }
    if (!r.escalations().isEmpty()) h.append("<br>Escalations: ").append(esc(String.join("; ", r.escalations())));
    h.append("</td></tr></table>\n");

    h.append("<h2>Impact</h2>\n<ul>");
    IncidentSections.impact(r).forEach(line -> h.append("<li>").append(esc(line)).append("</li>"));
    h.append("</ul>\n<h2>Root Cause</h2>\n<p>").append(esc(IncidentSections.rootCause(r))).append("</p>\n");
    h.append("<h2>Corrective Actions</h2>\n<table><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr>\n");
    Instant now = Instant.now();
    for (RollbackReport.FollowUp f : r.immediateActions()) row(h, r, f, "§7.1", now);
    for (RollbackReport.FollowUp f : r.rootCauseAnalysis()) row(h, r, f, "§7.2", now);
    for (RollbackReport.FollowUp f : r.correctiveActions()) row(h, r, f, "§7.3", now);
    h.append("</table>\n");
    h.append("<h2>Lessons Learned</h2>\n<p>").append(esc(IncidentSections.lessons(r))).append("</p>\n<h2>Approvals</h2>\n<ul>");
    IncidentSections.approvals(r).forEach(line -> h.append("<li>").append(esc(line)).append("</li>"));
    h.append("</ul>\n");
    // §8.2's order: what a reader signs off comes first, the audit detail after the approvals
    h.append("<h2>Human decisions</h2>\n<p class=\"meta\">Waiting for people, prompt open → decision: ").append(duration(r.humanTime()))
        .append(" — kept apart from the machine time in steps: ").append(duration(r.machineTime())).append("</p>\n")
        .append("<table><tr><th>Prompt opened (" + r.zone() + ")</th><th>Prompt — outcome</th><th>Waited</th></tr>\n");
    for (RollbackReport.HumanWait w : r.humanWaits()) {
      h.append("<tr><td class=\"num\">").append(r.clock(w.start())).append("</td><td>").append(esc(w.label())).append("</td><td class=\"num\">")
          .append(duration(w.took())).append("</td></tr>\n");
    }
    if (r.humanWaits().isEmpty()) h.append("<tr><td colspan=\"3\" class=\"meta\">none: no decision was waited for</td></tr>\n");
    h.append("</table>\n<table><tr><th>Time</th><th>Notice</th><th>Prompt</th><th>Decides</th><th>Reached</th><th>Channels</th></tr>\n");
    for (RollbackReport.GateNotice n : r.gateNotices()) {
      h.append("<tr><td class=\"num\">").append(r.clock(n.at())).append("</td><td>").append(esc(n.kind())).append("</td><td>").append(esc(n.prompt()))
          .append("</td><td>").append(esc(n.decider())).append("</td><td>").append(esc(String.join(", ", n.reached()))).append("</td><td>")
          .append(esc(n.channels())).append("</td></tr>\n");
    }
    if (r.gateNotices().isEmpty()) h.append("<tr><td colspan=\"6\" class=\"meta\">no decider was notified</td></tr>\n");
    h.append("</table>\n");

    if (!r.checklist().isEmpty()) {
      h.append("<h2>Pre-rollback checklist (§4.1)</h2>\n<table><tr><th>#</th><th>Action</th><th>Owner</th><th>State</th><th>Detail</th></tr>\n");
      for (RollbackReport.ChecklistItem c : r.checklist()) {
        h.append("<tr><td>").append(c.step()).append("</td><td>").append(esc(c.action())).append("</td><td>").append(esc(c.owner()))
            .append("</td><td class=\"").append(c.state().equals("done") ? "pass" : "meta").append("\">").append(esc(c.state())).append("</td><td>")
            .append(esc(c.detail())).append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("<h2>Steps executed</h2>\n<table><tr><th>Step</th><th>Started (" + r.zone() + ")</th><th>Took</th><th>Budget</th><th>Result</th><th>Detail</th></tr>\n");
    for (RollbackReport.Step s : r.steps()) {
      h.append("<tr><td>").append(esc(s.title())).append("</td><td class=\"num\">").append(r.clock(s.start())).append("</td><td class=\"num\">")
          .append(duration(s.took())).append("</td><td class=\"num\">").append(duration(s.budget())).append("</td><td class=\"")
          .append(!s.ok() ? "failed\">FAILED" : s.overBudget() ? "slow\">over budget" : "pass\">ok").append("</td><td>").append(esc(s.detail()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Verification results</h2>\n<table><tr><th>Time</th><th>Check</th><th>Result</th><th>Detail</th></tr>\n");
    for (RollbackReport.Check c : r.checks()) {
      h.append("<tr><td class=\"num\">").append(r.clock(c.at())).append("</td><td>").append(esc(c.name())).append("</td><td class=\"")
          .append(c.passed() ? "pass" : "failed").append("\">").append(esc(c.status())).append("</td><td>").append(esc(c.detail())).append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Commands run</h2>\n<table><tr><th>Time</th><th>By</th><th>Command</th><th>Arguments</th><th>Outcome</th></tr>\n");
    for (RollbackReport.Command c : r.commands()) {
      h.append("<tr><td class=\"num\">").append(r.clock(c.at())).append("</td><td>").append(esc(c.actor())).append("</td><td>").append(esc(c.command()))
          .append("</td><td><code>").append(esc(c.arguments())).append("</code></td><td>").append(esc(c.outcome())).append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Communication sent</h2>\n<table><tr><th>Time</th><th>Message</th><th>Channel</th><th>Status</th></tr>\n");
    for (RollbackReport.Message m : r.communications()) {
      h.append("<tr><td class=\"num\">").append(r.clock(m.at())).append("</td><td>").append(esc(m.message())).append("</td><td>").append(esc(m.channel()))
          .append("</td><td class=\"").append(m.status().equals("sent") ? "pass" : m.status().equals("failed") ? "failed" : "slow").append("\">")
          .append(esc(m.status() + (m.detail().isEmpty() ? "" : ": " + m.detail()))).append("</td></tr>\n");
    }
    if (r.communications().isEmpty()) h.append("<tr><td colspan=\"4\" class=\"meta\">none journaled</td></tr>\n");
    h.append("</table>\n");
    if (!r.schedule().isEmpty()) {
      h.append("<h2>Communication schedule (§6.1): planned against sent</h2>\n<table><tr><th>Due</th><th>Message</th><th>Channel</th><th>Owner</th>")
          .append("<th>Sent</th><th></th></tr>\n");
      for (RollbackReport.Scheduled s : r.schedule()) {
        h.append("<tr><td class=\"num\">T+").append(duration(s.at())).append(" (").append(r.clock(s.planned())).append(")</td><td>").append(esc(s.message()))
            .append("</td><td>").append(esc(s.channel())).append("</td><td>").append(esc(s.owner())).append("</td><td class=\"num\">")
            .append(s.sent() == null ? "—" : r.clock(s.sent())).append("</td><td class=\"").append(s.flagged() ? "failed" : "pass").append("\">")
            .append(esc(s.state())).append("</td></tr>\n");
      }
      h.append("</table>\n");
    }


    h.append("<h2>Audit journal</h2>\n<p>").append(r.integrity().intact()
        ? "Hash chain intact over " + r.integrity().entries() + " entries; head SHA-256 <code>" + r.integrity().head() + "</code>."
        : "<span class=\"failed\">Hash chain BROKEN: " + esc(r.integrity().problem()) + "</span>").append("</p>\n");
    h.append("<p class=\"meta\">Rendered by lmsctl report from the audit journal alone (LMS-PHASE29-ROLLBACK-001 §8).</p>\n</body></html>\n");
    return h.toString();
  }

  private static void figure(StringBuilder h, String value, String label) {
    h.append("<div class=\"fig\"><b>").append(esc(value)).append("</b><span>").append(esc(label)).append("</span></div>");
  }

  private static void row(StringBuilder h, RollbackReport r, RollbackReport.FollowUp f, String section, Instant now) {
    String status = f.status(now);
    h.append("<tr><td>").append(esc(f.action())).append(" <span class=\"meta\">").append(section).append("</span></td><td>").append(esc(f.owner()))
        .append("</td><td class=\"num\">").append(esc(f.dueText(r.time()))).append("</td><td class=\"")
        .append(f.done() != null ? "pass" : status.equals("OVERDUE") ? "failed" : "meta").append("\">").append(esc(status)).append("</td></tr>\n");
  }

  /** Steps against their budgets on one time axis from the start of the rollback. */
  static String timeline(RollbackReport r) {
    Duration end = r.targetTime();
    for (RollbackReport.Step s : r.steps()) {
      Duration stepEnd = Duration.between(r.started(), s.start()).plus(s.budget().compareTo(s.took()) > 0 ? s.budget() : s.took());
      if (stepEnd.compareTo(end) > 0) end = stepEnd;
    }
    if (r.total().compareTo(end) > 0) end = r.total();
    double span = end.toMillis() * 1.04;
    int rows = r.steps().size() + 1;
    int height = rows * ROW + 34;
    StringBuilder s = new StringBuilder();
    s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 ").append(LABEL_WIDTH + CHART_WIDTH + 10).append(' ').append(height)
        .append("\" role=\"img\" aria-label=\"timeline of the rollback steps against their budgets\" style=\"font:12px system-ui,sans-serif\">\n");
    long minutes = Math.max(1, (long) Math.ceil(span / 60_000.0));
    long tick = minutes > 30 ? 10 : minutes > 12 ? 2 : 1;
    for (long m = 0; m <= minutes; m += tick) {
      double x = LABEL_WIDTH + CHART_WIDTH * (m * 60_000.0 / span);
      if (x > LABEL_WIDTH + CHART_WIDTH) break;
      s.append(String.format("<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eef1f4\"/>", x, x, rows * ROW + 6));
      s.append(String.format("<text x=\"%.1f\" y=\"%d\" fill=\"#5b6b7b\" text-anchor=\"middle\">%dm</text>%n", x, rows * ROW + 22, m));
    }
    int y = 6;
    for (RollbackReport.Step st : r.steps()) {
      double x0 = LABEL_WIDTH + CHART_WIDTH * (offset(r, st.start()) / span);
      double budgetW = CHART_WIDTH * (st.budget().toMillis() / span);
      double actualW = Math.max(3, CHART_WIDTH * (st.took().toMillis() / span));
      String color = !st.ok() ? "#c0392b" : st.overBudget() ? "#d68910" : "#1f8a4c";
      s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"#1d2630\">%s</text>", LABEL_WIDTH - 8, y + 15, esc(st.title()))
          .replace("<text x", "<text text-anchor=\"end\" x"));
      s.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"3\" fill=\"#d6e4f0\"><title>budget %s</title></rect>",
          x0, y + 2, budgetW, duration(st.budget())));
      s.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"3\" fill=\"%s\"><title>took %s</title></rect>",
          x0, y + 2, actualW, color, duration(st.took())));
      s.append(String.format("<text x=\"%.1f\" y=\"%d\" fill=\"#34495e\">%s of %s</text>%n", x0 + Math.max(actualW, budgetW) + 6, y + 15,
          duration(st.took()), duration(st.budget())));
      y += ROW;
    }
    s.append(String.format("<text text-anchor=\"end\" x=\"%d\" y=\"%d\" fill=\"#8e44ad\">waiting for a person</text>", LABEL_WIDTH - 8, y + 15));
    for (RollbackReport.HumanWait w : r.humanWaits()) {
      double x0 = LABEL_WIDTH + CHART_WIDTH * (offset(r, w.start()) / span);
      s.append(String.format("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"3\" fill=\"#8e44ad\"><title>%s: %s</title></rect>", x0, y + 2,
          Math.max(3, CHART_WIDTH * (w.took().toMillis() / span)), esc(w.label()), duration(w.took())));
    }
    if (r.humanWaits().isEmpty()) {
      s.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"#8a97a5\">none: no decision was waited for</text>", LABEL_WIDTH + 6, y + 15));
    }
    double target = LABEL_WIDTH + CHART_WIDTH * (r.targetTime().toMillis() / span);
    s.append(String.format("%n<line x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c0392b\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>", target, target, rows * ROW + 6));
    s.append(String.format("<text x=\"%.1f\" y=\"12\" fill=\"#c0392b\" text-anchor=\"end\">%s target </text>%n", target - 4, duration(r.targetTime())));
    return s.append("</svg>\n").toString();
  }

  private static double offset(RollbackReport r, Instant t) {
    return Math.max(0, Duration.between(r.started(), t).toMillis());
  }

  static String esc(String s) {
    if (s == null) return "";
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
