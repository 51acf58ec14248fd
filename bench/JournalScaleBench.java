// How `lmsctl report` and `lmsctl audit verify` grow with the journal (#15): a 4-hour watch writes thousands of
// entries before a rollback. Builds two chained journals — 10 000 and 100 000 entries: watch rounds, then one whole
// sandbox rollback (the one the build's class-data training run journaled) — and times each verb as a cold process
// on each, printing the 100k / 10k ratios (linear would be 10; the goal is <= 12) and each process's peak memory.
//
//   java -cp target/lmsctl.jar bench/JournalScaleBench.java [rounds] [template-journal]

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import lms.rollback.audit.Journal;

public class JournalScaleBench {

  static final ObjectMapper JSON = new ObjectMapper();

  record Run(long nanos, long peakKb) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path template = Path.of(args.length > 1 ? args[1] : "target/cds-training/journal.jsonl");
    List<String> run = Files.readAllLines(template, StandardCharsets.UTF_8);
    Path work = Files.createTempDirectory("lms-journal-bench");
    Path small = build(work.resolve("10k"), 10_000, run);
    Path large = build(work.resolve("100k"), 100_000, run);
    String[] sizes = {"10k", "100k"};
    Path[] journals = {small, large};
    for (String verb : List.of("report", "audit verify")) {
      List<List<Long>> times = List.of(new ArrayList<>(), new ArrayList<>());
      long[] peaks = new long[2];
      for (int i = 0; i <= rounds; i++) {
        for (int j = 0; j < 2; j++) {
          Run r = time(verb, journals[j], work.resolve("out-" + sizes[j]));
          if (i > 0) times.get(j).add(r.nanos()); // the first of each is a warm-up (disk cache)
          peaks[j] = Math.max(peaks[j], r.peakKb());
        }
      }
      double a = median(times.get(0)) / 1e6;
      double b = median(times.get(1)) / 1e6;
      System.out.printf("lmsctl %s: 10 000 entries %.0f ms (peak %d MiB), 100 000 entries %.0f ms (peak %d MiB): ratio %.2f (goal <= 12)%n",
          verb, a, peaks[0] / 1024, b, peaks[1] / 1024, b / a);
    }
  }

  /** {@code entries} lines: watch rounds, then the template run, re-chained and with its head file. */
  static Path build(Path dir, int entries, List<String> run) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(Journal.FILE_NAME);
    String previous = null;
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    int watchRounds = entries - run.size();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int seq = 1; seq <= entries; seq++) {
        ObjectNode n;
        if (seq <= watchRounds) {
          n = JSON.createObjectNode();
          n.put("seq", seq);
          n.put("ts", t.plusMillis(seq * 3600L).toString());
          n.put("actor", "jenkins");
          n.put("type", seq % 2 == 0 ? "trigger.evaluated" : "metrics.sample");
          ObjectNode d = n.putObject("data");
          d.put("trigger", "AUTO-00" + (1 + seq % 3));
          d.put("state", "clear");
          d.put("value", (seq % 97) / 100.0);
          d.put("threshold", 5.0);
          d.put("query", "sum(rate(http_requests_total{app=\"lms\",version=\"green\",code=~\"5..\"}[2m])) / sum(rate(http_requests_total{app=\"lms\",version=\"green\"}[2m])) * 100");
        } else {
          n = (ObjectNode) JSON.readTree(run.get(seq - watchRounds - 1));
          ObjectNode copy = JSON.createObjectNode();
          copy.put("seq", seq);
          copy.set("ts", n.get("ts"));
          copy.set("actor", n.get("actor"));
          copy.set("type", n.get("type"));
          copy.set("data", n.get("data"));
          n = copy;
        }
        n.put("prev", previous == null ? Journal.GENESIS : Journal.sha256(previous));
        String line = JSON.writeValueAsString(n);
        w.write(line);
        w.write('\n');
        previous = line;
      }
    }
    Files.writeString(dir.resolve(Journal.HEAD_FILE_NAME), Journal.sha256(previous) + "\n");
    return file;
  }

  static Run time(String verb, Path journal, Path out) throws Exception {
    List<String> command = new ArrayList<>(List.of("./lmsctl"));
    command.addAll(List.of(verb.split(" ")));
    command.addAll(List.of("--journal", journal.toString(), "--out-dir", out.toString(), "--actor", "bench"));
    if (verb.equals("report")) command.addAll(List.of("--to", out.toString()));
    Files.createDirectories(out);
    Path output = out.resolve(verb.replace(' ', '-') + ".out");
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    long peak = 0;
    while (p.isAlive()) {
      peak = Math.max(peak, peakKb(p.pid()));
      Thread.sleep(10);
    }
    long nanos = System.nanoTime() - start;
    if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(output));
    return new Run(nanos, peak);
  }

  static long peakKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | NumberFormatException e) {
      // it has exited
    }
    return 0;
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
