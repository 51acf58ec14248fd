package lms.rollback.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Map;
import lms.rollback.gate.TriggerEvidence;
import org.junit.jupiter.api.Test;

/** A trigger's evidence is what a person reads to trust a rollback nobody approved: it always says something. */
class EvidenceTextTest {

  static final Instant AT = Instant.parse("2026-12-07T02:10:00Z");

  @Test
  void anEvaluationWithoutDetailSaysWhatWasMeasuredOrThatNothingWas() {
    Evaluation measured = new Evaluation("AUTO-004", Evaluation.State.holds, AT, "count(ALERTS)", "criticalSecurityAlerts >= 1.0 for 0s", 1, 2.0, "");
    Evaluation nothing = new Evaluation("AUTO-004", Evaluation.State.unknown, AT, "count(ALERTS)", "criticalSecurityAlerts >= 1.0 for 0s", 0, null, null);

    assertEquals("measured 2 at 2026-12-07T02:10:00Z", measured.detail());
    assertEquals("nothing measured: Prometheus gave no value at 2026-12-07T02:10:00Z", nothing.detail());
    assertEquals("measured 3.250 at 2026-12-07T02:10:00Z",
        new Evaluation("AUTO-001", Evaluation.State.holds, AT, "q", "c", 1, 3.25, " ").detail());
  }

  @Test
  void evidenceJournaledEmptyByAnOlderWatchIsNamedAsSuchNeverShownAsEmptyBrackets() {
    TriggerEvidence old = TriggerEvidence.of(Map.of("trigger", "AUTO-004", "state", "holds", "detail", "", "at", AT.toString()));

    assertEquals("AUTO-004 held when the engine measured it (no measured value was journaled, 2026-12-07T02:10:00Z): no approval needed (§2.1)",
        old.describe());
  }
}
