package lms.rollback.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way lmsctl runs a program (alembic, pg_restore): output streamed and kept, environment passed, time bounded. */
class ChildProcessTest {

  @TempDir Path dir;

  @Test
  void itsOutputIsShownAsItComesAndKeptWithItsExitCode() throws Exception {
    List<String> shown = Collections.synchronizedList(new ArrayList<>());
    ChildProcess.Ended ended = new ChildProcess("tool", List.of("sh", "-c", "echo one; echo two >&2; echo \"$SECRET\"; pwd; exit 3"), shown::add)
        .in(dir).environment(Map.of("SECRET", "from the environment")).run(Duration.ofSeconds(30));

    assertEquals(3, ended.exitCode());
    List<String> expected = List.of("one", "two", "from the environment", dir.toRealPath().toString());
    assertEquals(expected, ended.lines());
    assertEquals(expected.stream().map(l -> "    tool: " + l).toList(), shown);
    assertEquals("from the environment\n" + dir.toRealPath(), ended.tail(2));
  }

  @Test
  void aProcessThatRunsPastItsTimeIsKilled() throws Exception {
    Path started = dir.resolve("started");
    List<Duration> ticks = Collections.synchronizedList(new ArrayList<>());
    long before = System.nanoTime();
    ChildProcess sleeper = new ChildProcess("sleeper", List.of("sh", "-c", "touch \"$0\"; exec sleep 60", started.toString()), line -> { })
        .whileRunning(Duration.ofMillis(200), ticks::add);

    assertThrows(TimeoutException.class, () -> sleeper.run(Duration.ofSeconds(3)));
    assertTrue(Files.exists(started), "it ran");
    assertTrue(Duration.ofNanos(System.nanoTime() - before).toSeconds() < 30, "it was not waited for to its end");
    assertTrue(ticks.size() >= 2, "told while it ran: " + ticks);
  }

  @Test
  void aProgramThatCannotStartIsAnIoError() {
    assertThrows(java.io.IOException.class, () -> new ChildProcess("none", List.of(dir.resolve("no-such-program").toString()), l -> { })
        .run(Duration.ofSeconds(5)));
  }
}
