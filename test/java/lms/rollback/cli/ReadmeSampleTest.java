package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/sandbox.md's sample of `./lmsctl sandbox` is what the sandbox prints, but for the times each run measures. */
class ReadmeSampleTest {

  @TempDir Path out;

  /** The first fenced block after {@code marker}. */
  static List<String> sampleAfter(String readme, String marker) {
    int at = readme.indexOf(marker);
    assertTrue(at >= 0, "docs/sandbox.md has no '" + marker + "'");
    int start = readme.indexOf("```\n", at) + 4;
    int end = readme.indexOf("```", start);
    return readme.substring(start, end).lines().toList();
  }

  /** What differs between two runs: durations measured, and nothing else. */
  static String measured(String line) {
    return line.replaceAll("\\d+\\.\\d\\ds", "N.NNs");
  }

  @Test
  void theSandboxSampleIsWhatTheSandboxPrints() throws Exception {
    List<String> sample = sampleAfter(Files.readString(Path.of("docs/sandbox.md")), "`./lmsctl sandbox` starts a Kubernetes API");
    Cli.Run run = LmsctlProcess.run(Map.of(), "sandbox", "--out-dir", out.toString());

    assertEquals(0, run.exit(), run.out() + run.err());
    List<String> printed = (run.err() + run.out()).lines().filter(l -> !l.isBlank()).toList();
    int from = printed.indexOf(printed.stream().filter(l -> l.equals(sample.get(0))).findFirst().orElse(""));
    assertTrue(from >= 0, "the sample's first line is printed: " + sample.get(0) + "\n" + String.join("\n", printed));
    for (int i = 0; i < sample.size(); i++) {
      assertTrue(from + i < printed.size(), "printed ends before the sample's line " + (i + 1) + ": " + sample.get(i));
      assertEquals(measured(sample.get(i)), measured(printed.get(from + i)), "docs/sandbox.md sample line " + (i + 1));
    }
  }
}
