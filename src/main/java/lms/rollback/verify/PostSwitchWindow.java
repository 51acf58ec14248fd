package lms.rollback.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.plan.Budget;
import lms.rollback.plan.RunbookTables.Verification;

/**
 * The part of an observation window whose data belongs to the time after the switch. Prometheus
 * shows the new routes only once Istio has pushed them and a scrape has happened (the plan's
 * routePropagation + scrapeInterval: {@code evidenceFrom}); a rate then needs two scrapes. Each
 * sample's rate window reaches back no further than {@code evidenceFrom} and is at most the
 * plan's rateWindow, so no sample counts Green's traffic before the switch or Blue's idle minute. The first
 * sample is at {@code firstSample} (the plan's {@code firstEvidence}).
 */
public record PostSwitchWindow(Instant switchedAt, Instant evidenceFrom, Instant firstSample, Instant end, Duration step, Duration rateWindow) {

  public static PostSwitchWindow of(Verification v, Instant switchedAt, Duration window) {
    return new PostSwitchWindow(switchedAt, switchedAt.plus(v.settle()), switchedAt.plus(v.firstEvidence()), switchedAt.plus(window), v.evaluationStep().limit(),
        v.rateWindow().limit());
  }

  /** Every step from the first sample to the end, and the end itself; none when the window ends before the first. */
  public List<Instant> sampleTimes() {
    List<Instant> times = new ArrayList<>();
    Duration every = step.isZero() || step.isNegative() ? Duration.ofSeconds(1) : step;
    for (Instant t = firstSample(); !t.isAfter(end); t = t.plus(every)) times.add(t);
    if (!times.isEmpty() && Duration.between(times.get(times.size() - 1), end).compareTo(every.dividedBy(2)) >= 0) times.add(end);
    return times;
  }

  /** The rate window of the sample at {@code t}: from {@code evidenceFrom} (or rateWindow back, if shorter) to t. */
  public Duration rateAt(Instant t) {
    Duration since = Duration.between(evidenceFrom, t);
    return since.compareTo(rateWindow) < 0 ? since : rateWindow;
  }

  /** "+50s..+90s after the switch" */
  public String describe(Instant from, Instant to) {
    return "+" + Budget.format(Duration.between(switchedAt, from)) + "..+" + Budget.format(Duration.between(switchedAt, to)) + " after the switch";
  }
}
