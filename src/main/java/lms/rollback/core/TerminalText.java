package lms.rollback.core;

/**
 * Text a person typed (a note, a reason), printed to a terminal: an escape sequence in it would recolour, move the
 * cursor or retitle the window of whoever reads the list (#38 item 14). Control characters become a space, as the
 * report's tables write sign-off texts, so the words stay readable and nothing reaches the terminal as a command.
 */
public final class TerminalText {

  private TerminalText() {}

  /** One printable line: line breaks, C0/C1 control characters (ESC included) and Unicode line separators as spaces. */
  public static String line(String s) {
    if (s == null) return "";
    return s.replaceAll("[\\p{Cc}\\u2028\\u2029]", " ");
  }

  /**
   * JSON for a terminal: the writer escapes C0 controls already; DEL and the C1 range (U+0080-U+009F, where CSI is an
   * escape of its own) can only stand inside a JSON string, so they are written as \\u escapes, the same text once parsed.
   */
  public static String json(String json) {
    StringBuilder sb = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c >= 0x7F && c <= 0x9F) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }
}
