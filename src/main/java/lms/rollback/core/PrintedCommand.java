package lms.rollback.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A command lmsctl prints for a person to paste: a hint after a refusal or at a gate, a notice's way to decide
 * without Jenkins, the sandbox's "try" lines. Every value is quoted for a POSIX shell; the program is the launcher
 * that ran ({@code LMSCTL_COMMAND}, set by it to its absolute path), so the line works from any directory. The
 * command line installs a check that parses each one with the verb's own options before it is printed
 * ({@link #checkedBy}), so a command naming an option the verb lacks fails where it is built, not at 2 a.m.
 */
public final class PrintedCommand {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");
  /** The one shell word lmsctl leaves for the person's shell: their user name. */
  public static final String THE_USER = "\"$USER\"";
  private static volatile Consumer<List<String>> check = argv -> { };

  private final List<String> env = new ArrayList<>();
  /** A question the person's shell asks before the command runs; its answer is {@code $LMS_ANSWER}. */
  private String question;
  private final List<String> words = new ArrayList<>();
  /** The arguments as the verb will see them (the shell word as a sample user), for the check. */
  private final List<String> argv = new ArrayList<>();

  private PrintedCommand(String verb) {
    for (String w : verb.split(" ")) {
      words.add(w);
      argv.add(w);
    }
  }

  /** A command for {@code verb} ({@code "gate record"} for a sub-verb). */
  public static PrintedCommand of(String verb) {
    return new PrintedCommand(verb);
  }

  /** Installs the parser every printed command must pass (it throws when one does not parse). */
  public static void checkedBy(Consumer<List<String>> parser) {
    check = parser;
  }

  /** The program as the person runs it. */
  public static String program() {
    String c = System.getenv("LMSCTL_COMMAND");
    return quote(c == null || c.isBlank() ? "lmsctl" : c);
  }

  /** An environment variable set for this one command ({@code NAME=value lmsctl …}). */
  public PrintedCommand env(String name, String value) {
    env.add(name + "=" + quote(value));
    return this;
  }

  /** {@code --name value}; nothing when the value is null. */
  public PrintedCommand option(String name, Object value) {
    if (value == null) return this;
    words.add(name);
    words.add(quote(String.valueOf(value)));
    argv.add(name);
    argv.add(String.valueOf(value));
    return this;
  }

  /** {@code --name "$USER"}: the person's own user name, filled in by their shell. */
  public PrintedCommand optionTheUser(String name) {
    words.add(name);
    words.add(THE_USER);
    argv.add(name);
    argv.add("someone");
    return this;
  }

  /**
   * {@code --name key="$LMS_ANSWER"}, the line starting with the shell asking {@code question}: what only the person
   * can say (what was checked) is typed at the prompt, never a placeholder that a paste would journal.
   */
  public PrintedCommand optionAsked(String name, String key, String question) {
    this.question = question;
    words.add(name);
    words.add(key + "=\"$LMS_ANSWER\"");
    argv.add(name);
    argv.add(key + "=an answer");
    return this;
  }

  public PrintedCommand flag(String name, boolean on) {
    if (on) {
      words.add(name);
      argv.add(name);
    }
    return this;
  }

  static String quote(String value) {
    if (!value.isEmpty() && PLAIN.matcher(value).matches()) return value;
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** The line to print; checked against the verb's options first. */
  @Override
  public String toString() {
    check.accept(List.copyOf(argv));
    List<String> all = new ArrayList<>();
    if (question != null) all.add("read -r -p " + quote(question + " ") + " LMS_ANSWER &&");
    all.addAll(env);
    all.add(program());
    all.addAll(words);
    return String.join(" ", all);
  }
}
