package lms.rollback.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How the decider of a gate is reached: the channels a prompt is announced on ("email" goes to
 * the deciding role's own addresses), and when reminders go out inside the decision window.
 */
public record GateNotices(@JsonProperty(required = true) List<String> channels, List<Reminder> reminders) {

  public static final GateNotices DEFAULT = new GateNotices(List.of("war-room", "email"),
      List.of(new Reminder("50%", null), new Reminder(null, Budget.parse("1m"))));

  public GateNotices {
    channels = List.copyOf(channels);
    reminders = reminders == null ? List.of() : List.copyOf(reminders);
  }

  /** A reminder at a percentage of the window ({@code at: 50%}) or some time before it closes ({@code before: 1m}). */
  public record Reminder(String at, Budget before) {
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,2})%");

    public Reminder {
      if ((at == null) == (before == null)) {
        throw new IllegalArgumentException("a reminder has either 'at' (a percentage of the window, like 50%) or 'before' (like 1m), not "
            + (at == null ? "neither" : "both"));
      }
      if (at != null && !PERCENT.matcher(at.strip()).matches()) {
        throw new IllegalArgumentException("reminder at '" + at + "' is not allowed; allowed: a percentage of the window from 1% to 99%, like 50%");
      }
    }

    /** When, counted from the prompt's opening; empty when it would fall outside the window. */
    public Optional<Duration> offset(Duration window) {
      Duration d;
      if (at != null) {
        d = window.multipliedBy(Integer.parseInt(at.strip().replace("%", ""))).dividedBy(100);
      } else {
        d = window.minus(before.limit());
      }
      return d.isNegative() || d.isZero() || d.compareTo(window) >= 0 ? Optional.empty() : Optional.of(d);
    }
  }

  /** The reminders' offsets for a window, earliest first, without repeats (a 2m window: 50% and 1m before are one). */
  public List<Duration> reminderOffsets(Duration window) {
    TreeSet<Duration> offsets = new TreeSet<>();
    reminders.forEach(r -> r.offset(window).ifPresent(offsets::add));
    return new ArrayList<>(offsets);
  }
}
