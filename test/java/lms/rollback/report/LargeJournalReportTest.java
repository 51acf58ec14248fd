package lms.rollback.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 item 14: {@code report} on a journal larger than its heap folds it in flat memory. #38 measured 1,000,000 entries
 * (212 MiB) against a 256 MB heap; this keeps the same proportion at a size CI runs in seconds: 200,000 entries
 * (about 57 MiB, more than the heap) against 48 MB. Read whole, its parsed entries alone weigh several times that.
 */
class LargeJournalReportTest {

  static final int ENTRIES = 200_000;
  static final String HEAP = "-Xmx48m";

  @TempDir Path dir;

  @Test
  void aReportOnAJournalLargerThanItsHeapIsWrittenWithoutRunningOutOfMemory() throws Exception {
    // Given a long watch's journal (its measurements and the war room's notes) and the rollback it ended in, whose own
    // measurements of the trigger go on for most of it
    Path out = Files.createDirectories(dir.resolve("out"));
    Path journal = out.resolve(Journal.FILE_NAME);
    long bytes = write(journal);
    assertTrue(bytes > (48L << 20), "the journal is larger than the heap: " + bytes);

    // When the report is built by lmsctl with a heap smaller than the journal
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
        "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), "lms.rollback.cli.Lmsctl",
        "report", "--out-dir", out.toString(), "--format", "md,json"));
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    assertTrue(p.waitFor(170, TimeUnit.SECONDS), "report did not end");
    String said = Files.readString(stdout) + Files.readString(stderr);

    // Then it completes, and the report is the run's, its chain checked over every entry
    assertEquals(0, p.exitValue(), said);
    String md = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(md.contains("Switch traffic"), md.substring(0, Math.min(2000, md.length())));
    String json = Files.readString(out.resolve("rollback-report.json"));
    assertTrue(json.matches("(?s).*\"integrity\"\\s*:\\s*\\{[^}]*\"entries\"\\s*:\\s*" + (ENTRIES + 6) + "\\b.*"),
        "the chain's count of entries: " + json.substring(0, Math.min(3000, json.length())));
    assertTrue(said.contains("completed"), said);
  }

  /** A chained journal as lmsctl writes it; returns its size. */
  private static long write(Path journal) throws Exception {
    String prev = Journal.GENESIS;
    long seq = 0;
    java.time.Instant t = java.time.Instant.parse("2026-03-01T08:00:00Z");
    try (BufferedWriter w = Files.newBufferedWriter(journal, StandardCharsets.UTF_8)) {
      List<String> lines = new ArrayList<>();
      lines.add(line("watch.start", "{\"environment\":\"production\",\"intervalSeconds\":15,\"forSeconds\":14400}"));
      for (int i = 0; i < ENTRIES / 2; i++) {
        lines.add(i % 2 == 0 ? line("trigger.changed", "{\"trigger\":\"AUTO-001\",\"state\":\"" + (i % 4 == 0 ? "holds" : "clear")
            + "\",\"detail\":\"error rate 0." + (i % 97) + "% over 5m, sample " + i + " of the watch\"}")
            : line("note.war-room", "{\"text\":\"watching the error rate, sample " + i + "; nothing to do yet, the on-call engineer\"}"));
      }
      lines.add(line("scenario.start", "{\"runId\":\"r-1\",\"scenario\":\"B\",\"environment\":\"production\",\"trigger\":\"AUTO-001\","
          + "\"requestedBy\":\"rc.jones\",\"reason\":\"error rate\"}"));
      lines.add(line("scenario.decided", "{\"trigger\":\"AUTO-001\"}"));
      for (int i = 0; i < ENTRIES / 2; i++) {
        lines.add(line("trigger.evaluated", "{\"trigger\":\"AUTO-001\",\"condition\":\"Error rate > 5% for 5 minutes\",\"state\":\"holds\","
            + "\"detail\":\"error rate 7." + (i % 89) + "% over 5m, sample " + i + "\"}"));
      }
      lines.add(line("step.start", "{\"action\":\"switch-traffic\",\"title\":\"Switch traffic\"}"));
      lines.add(line("step.end", "{\"action\":\"switch-traffic\",\"title\":\"Switch traffic\",\"ok\":true,\"millis\":1200,\"budget\":\"1m\",\"detail\":\"routes on Blue\"}"));
      lines.add(line("scenario.end", "{\"ok\":true}"));
      for (String data : lines) {
        String[] typeAndData = data.split("\u0000", 2);
        t = t.plusMillis(40);
        String line = "{\"seq\":" + (++seq) + ",\"ts\":\"" + t + "\",\"actor\":\"lmsctl\",\"type\":\"" + typeAndData[0] + "\",\"data\":" + typeAndData[1]
            + ",\"prev\":\"" + prev + "\"}";
        w.write(line);
        w.write('\n');
        prev = Journal.sha256(line);
      }
    }
    Files.writeString(journal.resolveSibling(Journal.HEAD_FILE_NAME), prev + "\n");
    return Files.size(journal);
  }

  private static String line(String type, String data) {
    return type + "\u0000" + data;
  }
}
