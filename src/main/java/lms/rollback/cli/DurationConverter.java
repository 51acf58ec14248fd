package lms.rollback.cli;

import java.time.Duration;
import lms.rollback.plan.Budget;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "30s", "2m", "1h30m" on the command line, as in the plan. */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Budget.parse(value).limit();
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
