package lms.rollback.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** Writes a report in the formats asked for, next to each other, and says where. */
public final class ReportWriter {

  public enum Format {
    md("rollback-report.md"), html("rollback-report.html"), json("rollback-report.json"), junit("rollback-report-junit.xml");

    final String file;

    Format(String file) {
      this.file = file;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  public static List<Path> write(RollbackReport report, Path dir, Set<Format> formats) {
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      for (Format f : EnumSet.copyOf(formats)) {
        String text = switch (f) {
          case md -> MarkdownReport.render(report);
          case html -> HtmlReport.render(report);
          case json -> JSON.writeValueAsString(report);
          case junit -> JUnitReport.render(report);
        };
        Path file = dir.resolve(f.file);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        written.add(file);
      }
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot write the report into " + dir + ": " + e.getMessage(), e);
    }
    return written;
  }
}
