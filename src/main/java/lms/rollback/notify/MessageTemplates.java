package lms.rollback.notify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * The §6.2 message templates: editable text files with {{PLACEHOLDER}}s. Read from a directory
 * the user names, else from resources/lms/rollback/templates (in the jar, and for Jenkins'
 * libraryResource). A placeholder with no value stays visible as [PLACEHOLDER] for a person to fill.
 */
public final class MessageTemplates {

  public static final String RESOURCE_DIR = "lms/rollback/templates/";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  private final Path directory;

  public MessageTemplates(Path directory) {
    this.directory = directory;
  }

  public String load(String name) {
    try {
      if (directory != null) {
        Path file = directory.resolve(name + ".txt");
        if (Files.exists(file)) return Files.readString(file, StandardCharsets.UTF_8);
      }
      try (InputStream in = MessageTemplates.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name + ".txt")) {
        if (in == null) {
          throw new LmsException(ExitCode.INVALID_INPUT, "template '" + name + "' not found in " + (directory == null ? "" : directory + " or ")
              + "the built-in templates");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot read template '" + name + "': " + e.getMessage(), e);
    }
  }

  public static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "[" + m.group(1) + "]" : value));
    }
    m.appendTail(out);
    return out.toString().replaceAll("\n{3,}", "\n\n").strip() + "\n";
  }
}
