package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How the report reads the journal into what people see. */
class ReportBuilderTest {

  static final Instant DECIDED = Instant.parse("2026-12-07T14:00:00Z");

  @Test
  void aMessageSentWithinASecondOfItsPlannedTimeIsOnTime() {
    // §6.1's T+0 messages go out milliseconds after the decision: they are on time, not "LATE by 0s"
    assertEquals("on time", ReportBuilder.punctuality(DECIDED, DECIDED));
    assertEquals("on time", ReportBuilder.punctuality(DECIDED, DECIDED.plusMillis(420)));
    assertEquals("on time", ReportBuilder.punctuality(DECIDED, DECIDED.plusSeconds(1)));
    assertEquals("on time", ReportBuilder.punctuality(DECIDED, DECIDED.minusSeconds(30)), "early is not late");
  }

  @Test
  void aMessageSentLaterIsLateByHowMuch() {
    assertEquals("LATE by 2s", ReportBuilder.punctuality(DECIDED, DECIDED.plusSeconds(2)));
    assertEquals("LATE by 2m5s", ReportBuilder.punctuality(DECIDED, DECIDED.plus(Duration.ofSeconds(125))));
  }
}
