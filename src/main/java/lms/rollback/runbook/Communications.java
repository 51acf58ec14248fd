package lms.rollback.runbook;

import java.io.PrintWriter;
import java.util.List;
import lms.rollback.notify.CommunicationSchedule;
import lms.rollback.notify.Notifier;

/**
 * Sends the §6.1 messages as a run's events happen — the start only once its decision was taken, a
 * rejection as such — and tells the person watching what became of each.
 */
public final class Communications implements RunStateMachine.Hooks {

  private final CommunicationSchedule schedule;
  private final PrintWriter out;

  public Communications(CommunicationSchedule schedule, PrintWriter out) {
    this.schedule = schedule;
    this.out = out;
  }

  @Override
  public void started() {
    print(schedule.after(CommunicationSchedule.START));
  }

  @Override
  public void stepFinished(StepRunner.Outcome outcome) {
    print(schedule.after(outcome.action()));
  }

  @Override
  public void finished(RunStateMachine.Result result) {
    print(schedule.after(result.status() == RunStateMachine.Status.REJECTED ? CommunicationSchedule.REJECTED : CommunicationSchedule.END));
  }

  /** The run's driver stopped mid-way: the war room hears where, and how the run continues. */
  public void interrupted() {
    print(schedule.after(CommunicationSchedule.INTERRUPTED));
  }

  private void print(List<Notifier.Delivery> deliveries) {
    if (out == null) return;
    for (Notifier.Delivery d : deliveries) {
      out.printf("         message %-25s %-12s %s%s%n", d.message(), d.channel(), d.status(), d.detail() == null ? "" : " (" + d.detail() + ")");
    }
    out.flush();
  }
}
