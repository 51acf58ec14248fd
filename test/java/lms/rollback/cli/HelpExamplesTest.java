package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every example a --help page gives is a command its verb accepts: options it has, values it takes, nothing missing. */
class HelpExamplesTest {

  /**
   * The words of a shell line as a shell would hand them over: quotes grouped and removed, a comment and a trailing
   * {@code &} dropped, a command substitution {@code $(…)} standing for the one word it yields.
   */
  static List<String> words(String shellLine) {
    String line = shellLine.replaceAll("\\$\\([^)]*\\)", "substituted").replaceAll("\\s+&\\s*$", "");
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    char quote = 0;
    boolean inWord = false;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) quote = 0;
        else w.append(c);
      } else if (c == '#' && !inWord) {
        break;
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) words.add(w.toString());
        w.setLength(0);
        inWord = false;
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (inWord) words.add(w.toString());
    return words;
  }

  static void examples(CommandLine cl, List<String> into) {
    List<String> lines = cl.getUsageMessage(CommandLine.Help.Ansi.OFF).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (!l.startsWith("lmsctl ")) continue;
      StringBuilder cmd = new StringBuilder(l);
      while (cmd.toString().endsWith("\\") && i + 1 < lines.size()) {
        cmd.setLength(cmd.length() - 1);
        cmd.append(' ').append(lines.get(++i).strip());
      }
      into.add(cmd.toString());
    }
    cl.getSubcommands().values().stream().distinct().filter(sub -> sub != cl && sub.getParent() == cl).forEach(sub -> examples(sub, into));
  }

  @Test
  void everyHelpExampleParsesWithItsVerbsOptions() {
    List<String> all = new ArrayList<>();
    examples(Lmsctl.commandLine(), all);
    assertTrue(all.size() >= 25, "examples found: " + all);
    List<String> refused = new ArrayList<>();
    for (String example : all) {
      List<String> args = words(example).subList(1, words(example).size());
      if (args.isEmpty() || args.get(0).equals("help")) continue;
      try {
        Lmsctl.commandLine(args.toArray(String[]::new)).parseArgs(args.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        refused.add(example + "  <- " + e.getMessage());
      }
    }
    assertTrue(refused.isEmpty(), "help examples their verb refuses:\n" + String.join("\n", refused));
  }
}
