package lms.rollback.plan;

import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** The plan (or a choice made from it) is invalid: names the file, the field and what is allowed. */
public class PlanException extends LmsException {
  public PlanException(String source, String field, String problem) {
    super(ExitCode.INVALID_INPUT, source + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + problem);
  }
}
