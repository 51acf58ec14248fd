package lms.rollback.core;

/** Named exit codes, shared by every verb (DESIGN.md). */
public final class ExitCode {
  private ExitCode() {}

  public static final int OK = 0;
  public static final int OTHER = 1;
  public static final int INVALID_INPUT = 2;
  public static final int CLUSTER_STATE = 3;
  public static final int VERIFICATION_FAILED = 4;
  public static final int NOT_AUTHORIZED = 5;
  /** lmsctl watch: an automatic trigger held and traffic was switched to Blue (or would have been, on a dry run). */
  public static final int ROLLED_BACK = 10;
  /** lmsctl watch: a manual trigger held; the recommendation on stdout says who must decide. */
  public static final int DECISION_NEEDED = 11;
}
