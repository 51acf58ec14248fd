package lms.rollback.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import lms.rollback.cli.Lmsctl;
import picocli.CommandLine;

/** Runs lmsctl in-process as a user would, capturing stdout and stderr. */
public final class Cli {
  private Cli() {}

  public record Run(int exit, String out, String err) {}

  public static Run lmsctl(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cl = Lmsctl.commandLine(args); // as main builds it: only the verb named
    cl.setOut(new PrintWriter(o));
    cl.setErr(new PrintWriter(e));
    int code = cl.execute(args);
    return new Run(code, o.toString(), e.toString());
  }
}
