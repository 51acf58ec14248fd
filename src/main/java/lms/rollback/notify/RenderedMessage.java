package lms.rollback.notify;

/** A message of §6.1 ready to send: its id, channel, subject (email only) and text. */
public record RenderedMessage(String message, String channel, String subject, String text) {

  /** An email template's first line "Subject: …" becomes the subject. */
  public static RenderedMessage of(String message, String channel, String filled) {
    if (filled.startsWith("Subject:")) {
      int nl = filled.indexOf('\n');
      return new RenderedMessage(message, channel, filled.substring("Subject:".length(), nl).strip(), filled.substring(nl + 1).strip() + "\n");
    }
    return new RenderedMessage(message, channel, null, filled);
  }
}
