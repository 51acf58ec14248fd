package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import lms.rollback.core.LmsException;
import lms.rollback.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal speaks one vocabulary: whatever a whole rollback writes is an {@link Event}, and people cannot write the engine's. */
class EventVocabularyTest {

  @TempDir Path out;

  @Test
  void everyEntryOfAWholeRollbackIsOfTheVocabulary() {
    // Given the sandbox's rollbacks: AUTO-001 with no approval, and MAN-001 escalated and approved through its prompt
    Path auto = out.resolve("auto");
    Path gated = out.resolve("gated");
    assertEquals(0, Cli.lmsctl("sandbox", "--out-dir", auto.toString(), "--termination-delay", "50ms", "-o", "json").exit());
    Cli.Run man = Cli.lmsctl("sandbox", "--out-dir", gated.toString(), "--termination-delay", "50ms", "--gate", "MAN-001", "--minute", "300ms");
    assertEquals(0, man.exit(), man.out() + man.err());

    // When their journals are read
    Set<String> written = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    for (Path dir : new Path[] {auto, gated}) {
      Journal.reading(dir.resolve(Journal.FILE_NAME)).forEach(e -> {
        written.add(e.type());
        if (Event.of(e.type()) == null) unknown.add(e.type());
      });
    }

    // Then each type is one of the vocabulary's, and the run's own vocabulary is there
    assertEquals(Set.of(), unknown, "types written outside the vocabulary; all written: " + written);
    for (Event e : new Event[] {Event.SCENARIO_START, Event.SCENARIO_DECIDED, Event.STEP_START, Event.STEP_END, Event.SWITCH_AFTER,
        Event.NOTIFY_SENT, Event.GATE_OPENED, Event.GATE_DECISION, Event.SCENARIO_END}) {
      assertTrue(written.contains(e.key()), e + " not written; written: " + written);
    }
  }

  @Test
  void aPersonRecordsTheirOwnTypesButNeverOneTheEngineWrites() {
    Journal journal = new Journal(out, "dba.lee");

    journal.appendPersonal("checklist.done", Map.of("step", "4", "note", "writes paused at the pool"));
    journal.appendPersonal("note.war-room", Map.of("text", "bridge opened"));
    LmsException refused = assertThrows(LmsException.class, () -> journal.appendPersonal("gate.decision", Map.of("by", "dba.lee")));
    LmsException trigger = assertThrows(LmsException.class, () -> journal.appendPersonal("trigger.evaluated", Map.of("state", "holds")));
    // a type of a family that steers a run, even one the vocabulary does not name (yet), is the engine's too
    LmsException family = assertThrows(LmsException.class, () -> journal.appendPersonal("step.done-by-hand", Map.of("action", "stop-green")));

    assertTrue(refused.getMessage().startsWith("--type: 'gate.decision' is written only by lmsctl itself"), refused.getMessage());
    assertTrue(trigger.getMessage().contains("'trigger.evaluated'"), trigger.getMessage());
    assertTrue(family.getMessage().contains("reserved for lmsctl's own entries"), family.getMessage());
    assertEquals(2, journal.read().size(), "nothing written for the refused ones");
    assertEquals(Event.CHECKLIST_DONE, journal.read().get(0).event());
    assertNull(journal.read().get(1).event(), "a person's own type stays outside the vocabulary");
  }

  @Test
  void theRunLogTellsTheRunInProgressItsStartAndItsPhase() {
    Journal journal = new Journal(out, "lmsctl");
    assertEquals(RunLog.Phase.NONE, RunLog.read(journal).phase());

    // a first run that completed
    journal.append(Event.SCENARIO_START, Map.of("scenario", "A", "environment", "staging", "trigger", "MAN-001", "requestedBy", "dev.smith"));
    journal.append(Event.SCENARIO_DECIDED, Map.of("scenario", "A"));
    journal.append(Event.SCENARIO_END, Map.of("scenario", "A", "ok", true));
    RunLog first = RunLog.read(journal);
    assertEquals(RunLog.Phase.COMPLETED, first.phase());
    assertNull(first.unfinished());
    assertEquals("dev.smith", first.lastStart().requestedBy());
    assertTrue(first.current().isEmpty());

    // a decision recorded before the next run starts belongs to that run
    journal.append(Event.GATE_DECISION, Map.of("trigger", "MAN-002", "decision", "approve", "by", "rc.jones"));
    journal.append(Event.SCENARIO_START, Map.of("scenario", "B", "environment", "staging", "trigger", "MAN-002", "requestedBy", "dev.jane"));
    journal.append(Event.SCENARIO_AWAITING, Map.of("scenario", "B"));
    RunLog second = RunLog.read(journal);
    assertEquals(RunLog.Phase.AWAITING_DECISION, second.phase());
    assertEquals("dev.jane", second.unfinished().requestedBy());
    assertEquals("B", second.unfinished().scenario());
    assertEquals(1, second.decisions().size());
    assertFalse(second.decided());

    journal.append(Event.SCENARIO_DECIDED, Map.of("scenario", "B"));
    journal.append(Event.STEP_START, Map.of("action", "switch-traffic"));
    assertEquals(RunLog.Phase.IN_STEP, RunLog.read(journal).phase());
    journal.append(Event.STEP_END, Map.of("action", "switch-traffic", "ok", true, "millis", 900));
    journal.append(Event.SCENARIO_STOPPED, Map.of("scenario", "B", "stoppedAt", "verify-blue"));
    RunLog stopped = RunLog.read(journal);
    assertEquals(RunLog.Phase.STOPPED, stopped.phase());
    assertEquals(Set.of("switch-traffic"), stopped.finishedSteps().keySet());
    assertTrue(stopped.decided());

    // the history: the completed run and the one in progress
    var runs = RunLog.runs(journal);
    assertEquals(2, runs.size());
    assertTrue(runs.get(0).completed());
    assertNull(runs.get(1).end());
  }
}
