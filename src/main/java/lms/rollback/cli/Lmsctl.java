package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.util.List;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.SecretMasker;
import picocli.CommandLine.Command;
import picocli.CommandLine;

@Command(name = "lmsctl", mixinStandardHelpOptions = true, version = "lmsctl 0.1.0 (LMS-PHASE29-ROLLBACK-001 v1.0)",
    description = {
        "Executes the LMS rollback plan (LMS-PHASE29-ROLLBACK-001): the same steps the Jenkins Rollback job runs, from a terminal, for when Jenkins itself is down.",
        "",
        "Data goes to stdout (-o text|json), progress and errors to stderr, and every action to the audit journal under --out-dir."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0 ok   1 other failure   2 invalid input   3 unexpected cluster state",
        "  4 verification failed   5 not authorized",
        "  10 (watch) an automatic trigger held and the rollback ran   11 (watch) a manual trigger held: a decision is needed", "", "Start here:  lmsctl sandbox", ""})
public final class Lmsctl extends CommandGroup {

  /** Wide enough for option descriptions to read as sentences; still fits a split terminal. */
  static final int HELP_WIDTH = 100;


  /**
   * The verbs, in the order --help lists them. Added by {@link #commandLine(String...)} rather than by the
   * annotation: building picocli's model of every verb costs a cold start ~0.2 s, so a call builds only its own.
   */
  private static final List<Class<?>> VERBS = List.of(SwitchCommand.class, VerifyBlueCommand.class, StopGreenCommand.class,
      SmokeCommand.class, StatusCommand.class, TriggersCommand.class, WatchCommand.class, GateCommand.class,
      ContactsCommand.class, AuditCommand.class, ReportCommand.class, FollowUpsCommand.class, ReadinessCommand.class, NotifyCommand.class, PlanCommand.class,
      RollbackCommand.class, RestoreCommand.class, DbRollbackCommand.class, SandboxCommand.class, CommandLine.HelpCommand.class);

  public static void main(String[] args) {
    // fabric8 and vert.x log through slf4j-simple: warnings only, on stderr
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    // the embedded mock server logs every request through java.util.logging
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    System.exit(commandLine(args).execute(args));
  }

  static {
    // a command lmsctl prints for a person parses with the verb's own options, or it is not printed
    lms.rollback.core.PrintedCommand.checkedBy(argv -> {
      try {
        new CommandLine(new Lmsctl()).addSubcommand(argv.get(0), VERBS.stream().filter(v -> verbName(v).equals(argv.get(0))).findFirst()
            .orElseThrow(() -> new IllegalStateException("no verb " + argv.get(0)))).parseArgs(argv.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw new IllegalStateException("lmsctl would print a command its verb refuses (" + e.getMessage() + "): " + String.join(" ", argv), e);
      }
    });
  }

  /** Every verb: for help, tests and anything that walks the tree. */
  public static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /** The command line for these arguments: only the verb they name when they start with one, else every verb. */
  public static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new Lmsctl());
    // `lmsctl help VERB` needs the verb it explains: help builds them all
    Class<?> named = args.length == 0 ? null : VERBS.stream().filter(v -> verbName(v).equals(args[0]) && v != CommandLine.HelpCommand.class)
        .findFirst().orElse(null);
    for (Class<?> verb : named != null ? List.of(named) : VERBS) cl.addSubcommand(verbName(verb), verb);
    cl.setUsageHelpWidth(HELP_WIDTH);
    cl.setExecutionExceptionHandler(Lmsctl::onError);
    cl.setParameterExceptionHandler((ex, given) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println(prefix(ex.getCommandLine()) + oneLine(SecretMasker.mask(ex.getMessage())));
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return ExitCode.INVALID_INPUT;
    });
    return cl;
  }

  private static String verbName(Class<?> verb) {
    return verb.getAnnotation(Command.class).name();
  }

  private static int onError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    int code;
    String message;
    if (e instanceof LmsException l) {
      code = l.exitCode();
      message = l.getMessage();
    } else if (e instanceof KubernetesClientException k) {
      code = ExitCode.CLUSTER_STATE;
      message = "Kubernetes API: " + ApiRetry.reason(k);
    } else {
      code = ExitCode.OTHER;
      message = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    err.println(prefix(cl) + oneLine(SecretMasker.mask(message)));
    if (System.getenv("LMSCTL_DEBUG") != null) e.printStackTrace(err);
    err.flush();
    return code;
  }

  /** A failure is one line: an argument with a newline in it must not make it two. */
  static String oneLine(String message) {
    return message == null ? "" : message.replace("\r", "\\r").replace("\n", "\\n");
  }

  private static String prefix(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName() + ": ";
  }
}
