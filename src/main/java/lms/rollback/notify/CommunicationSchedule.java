package lms.rollback.notify;

import java.util.ArrayList;
import java.util.List;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables;

/** Sends each §6.1 message when the event it reports has happened: the start, a step, the end, or a rejection. */
public final class CommunicationSchedule {

  public static final String START = "start";
  public static final String END = "end";
  /** A run whose gate closed without a decision to roll back: nothing was changed, and the war room is told so. */
  public static final String REJECTED = "rejected";
  /** A run whose driver stopped mid-way (a build aborted, an agent lost): where it stopped, and how it continues. */
  public static final String INTERRUPTED = "interrupted";
  /** An unfinished run closed because a later request may not continue it: the war room hears it will not go on. */
  public static final String ABANDONED = "abandoned";
  /** A scheduled rehearsal (§9.1) could not start: the event its notices go out after, and the entry that says which and why. */
  public static final String REHEARSAL_NOT_RUN = "rehearsal-not-run";
  private final Plan plan;
  private final Notifier notifier;

  public CommunicationSchedule(Plan plan, Notifier notifier) {
    this.plan = plan;
    this.notifier = notifier;
  }

  /** Sends what is due after {@code event}; returns what became of each message. */
  public List<Notifier.Delivery> after(String event) {
    List<Notifier.Delivery> out = new ArrayList<>();
    for (RunbookTables.Communication c : plan.communications()) {
      if (c.after().equals(event)) out.add(notifier.send(c.message(), false));
    }
    return out;
  }
}
