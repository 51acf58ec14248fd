package lms.rollback.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's CPS code against what a controller refuses, statically: CodeNarc's Jenkins rules and our rule for a
 * value alive across a step call (test/codenarc), run by CodeNarc 3.5 in a JVM of its own (its Groovy 3 is not the
 * tests' 2.4; Maven copies it to target/codenarc-lib). The pipeline tests catch the same at run time (ProgramSavingHelper).
 */
class CpsLintTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path scratch;

  /** Each violation as "FILE:LINE RULE: MESSAGE". */
  static List<String> lint(Path basedir, String includes) throws Exception {
    Path report = Files.createTempFile("codenarc", ".json");
    try {
      List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          Path.of("target", "codenarc-lib").toAbsolutePath() + File.separator + "*", "org.codenarc.CodeNarc", "-basedir=" + basedir,
          "-includes=" + includes, "-rulesetfiles=file:" + Path.of("test/codenarc/cps-ruleset.xml").toAbsolutePath(), "-report=json:" + report);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "CodeNarc did not end");
      assertEquals(0, p.exitValue(), out);
      assertTrue(!out.contains("Compilation error") && !out.contains("Error processing"), "CodeNarc could not read a file: " + out);
      JsonNode d = JSON.readTree(report.toFile());
      List<String> found = new ArrayList<>();
      for (JsonNode pkg : d.path("packages")) {
        for (JsonNode f : pkg.path("files")) {
          for (JsonNode v : f.path("violations")) {
            found.add(pkg.path("path").asText("") + "/" + f.path("name").asText() + ":" + v.path("lineNumber").asText() + " " + v.path("ruleName").asText()
                + ": " + v.path("message").asText());
          }
        }
      }
      assertTrue(d.path("summary").path("totalFiles").asInt() > 0, "nothing was linted: " + out);
      return found;
    } finally {
      Files.deleteIfExists(report);
    }
  }

  @Test
  void theLibrarysCpsCodeKeepsNothingTheControllerCannotSaveAcrossAStepCall() throws Exception {
    List<String> found = lint(Path.of("").toAbsolutePath(), "vars/*.groovy,src/**/*.groovy,Jenkinsfile");
    assertEquals(List.of(), found, String.join("\n", found));
  }

  @Test
  void theShapeThatFailedEveryBuildOnARealControllerIsFound() throws Exception {
    // lmsRollback's follow() before #35: the parser on the CPS stack while readFile runs
    Path vars = Files.createDirectories(scratch.resolve("vars"));
    Files.writeString(vars.resolve("follow.groovy"), String.join("\n",
        "def follow(String file) {",
        "  Map done = fileExists(file) ? new groovy.json.JsonSlurperClassic().parseText(readFile(file)) : null",
        "  return done",
        "}",
        "",
        "def matched(String text) {",
        "  def m = text =~ /(\\d+)/",
        "  echo 'found'",
        "  return m.find()",
        "}",
        "",
        "@NonCPS",
        "Map parsed(String text) {",
        "  return new groovy.json.JsonSlurperClassic().parseText(text.trim())",
        "}",
        ""));

    List<String> found = lint(scratch, "vars/*.groovy");

    assertEquals(2, found.size(), String.join("\n", found));
    assertTrue(found.get(0).contains("follow.groovy:2 ValueAliveAcrossStepCall: new JsonSlurperClassic(…).parseText(…)"), found.get(0));
    assertTrue(found.get(1).contains("follow.groovy:7 ValueAliveAcrossStepCall: m holds a Matcher"), found.get(1));
  }
}
