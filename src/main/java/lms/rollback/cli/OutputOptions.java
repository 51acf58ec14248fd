package lms.rollback.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where results go: data on stdout as text or JSON, files (journal, logs) under --out-dir. */
public final class OutputOptions {

  public enum Format { text, json }

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "Output on stdout: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "${env:LMS_OUT_DIR:-lms-rollback-out}",
      description = "Directory for the audit journal (journal.jsonl), preserved logs and reports. Default: $LMS_OUT_DIR, else ./lms-rollback-out.")
  Path outDir;

  @Option(names = "--actor", paramLabel = "USER", defaultValue = "${env:LMS_ACTOR:-${sys:user.name}}",
      description = "Who is acting, for the audit journal. Default: $LMS_ACTOR, else the login name.")
  String actor;

  public boolean json() {
    return format == Format.json;
  }

  public Path outDir() {
    if (outDir == null || outDir.toString().isBlank()) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--out-dir: empty; give a directory for the journal, e.g. --out-dir lms-rollback-out");
    }
    return outDir;
  }

  /** The same journal on a command printed for a person. */
  public lms.rollback.core.PrintedCommand onto(lms.rollback.core.PrintedCommand c) {
    return c.option("--out-dir", outDir().toAbsolutePath());
  }

  public String actor() {
    return actor;
  }
}
