package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/ never drifts from --help: each verb has its page (docs/VERB.md), and the page's usage section is what
 * {@code lmsctl VERB --help} prints, sub-verbs included. With LMS_DOCS_WRITE=1 the test rewrites those sections
 * instead of comparing them (after a help text changed: review the diff, commit it).
 */
class DocsPagesTest {

  static final Path DOCS = Path.of("docs");
  static final String BEGIN = "<!-- usage: generated from --help; LMS_DOCS_WRITE=1 mvn -B test -Dtest=DocsPagesTest rewrites it -->";
  static final String END = "<!-- usage: end -->";
  static final boolean WRITE = "1".equals(System.getenv("LMS_DOCS_WRITE"));

  /** The verbs a person runs: every subcommand of lmsctl but picocli's own `help`. */
  static List<CommandLine> verbs() {
    CommandLine root = Lmsctl.commandLine();
    return root.getSubcommands().values().stream().distinct().filter(v -> v.getParent() == root && !v.getCommandName().equals("help")).toList();
  }

  /** The usage section of a page: each command's --help in a fenced block, the verb first, then its sub-verbs. */
  static String usageSection(CommandLine verb) {
    StringBuilder s = new StringBuilder(BEGIN).append('\n');
    List<CommandLine> all = new ArrayList<>();
    all.add(verb);
    verb.getSubcommands().values().stream().distinct().filter(sub -> sub.getParent() == verb).forEach(all::add);
    for (CommandLine c : all) {
      s.append("\n### `").append(c.getCommandSpec().qualifiedName()).append(" --help`\n\n```text\n")
          .append(c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
    }
    return s.append('\n').append(END).toString();
  }

  static String usageIn(String page) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    assertTrue(begin >= 0 && end > begin, "the page has no usage section between '" + BEGIN + "' and '" + END + "'");
    return page.substring(begin, end + END.length());
  }

  static void check(Path file, String section) throws IOException {
    assertTrue(Files.isRegularFile(file), file + " is missing: every verb has a page (write it, then run with LMS_DOCS_WRITE=1 to fill its usage)");
    String page = Files.readString(file);
    String current = usageIn(page);
    if (WRITE) {
      Files.writeString(file, page.replace(current, section));
    } else {
      assertEquals(section, current, file + " says other than --help (LMS_DOCS_WRITE=1 mvn -B test -Dtest=DocsPagesTest rewrites it)");
    }
  }

  @Test
  void everyVerbsPageShowsItsHelp() throws IOException {
    List<CommandLine> verbs = verbs();
    assertTrue(verbs.size() >= 19, "verbs found: " + verbs.size());
    for (CommandLine verb : verbs) check(DOCS.resolve(verb.getCommandName() + ".md"), usageSection(verb));
  }

  @Test
  void theOverviewPageShowsLmsctlsHelp() throws IOException {
    CommandLine root = Lmsctl.commandLine();
    String section = BEGIN + "\n\n```text\n" + root.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing() + "\n```\n\n" + END;
    check(DOCS.resolve("lmsctl.md"), section);
  }

  @Test
  void theReadmeLinksEveryVerbsPage() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    List<String> missing = verbs().stream().map(v -> "docs/" + v.getCommandName() + ".md").filter(link -> !readme.contains("(" + link)).toList();
    assertTrue(missing.isEmpty(), "README links no page for: " + missing);
  }
}
