package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;

/**
 * Who changed an object after the run changed it, as the API server recorded it (its {@code managedFields}: the field
 * manager and the time of its last write). Where the server recorded nothing later than the run's own change, the
 * writer is "another writer" and the time is when the run saw it: never a name or a time that was not observed.
 */
public final class OtherWriter {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private static final String OWN_MANAGER = ClusterConnection.USER_AGENT.split("/", 2)[0];

  private OtherWriter() {}

  /** "by argocd-application-controller at 13:02:11 UTC", or "by another writer (seen at 13:02:14 UTC)". */
  public static String of(HasMetadata object, Instant ourChange) {
    List<ManagedFieldsEntry> entries = object == null || object.getMetadata() == null || object.getMetadata().getManagedFields() == null ? List.of()
        : object.getMetadata().getManagedFields();
    record Write(String manager, Instant at) {}
    Write last = entries.stream().filter(e -> e.getManager() != null && !e.getManager().isBlank())
        .map(e -> new Write(e.getManager(), parse(e.getTime()))).filter(w -> w.at() != null)
        // lmsctl's own writes are not another writer's; the server keeps whole seconds, so the second of the change counts
        .filter(w -> !w.manager().equals(OWN_MANAGER))
        .filter(w -> ourChange == null || !w.at().isBefore(ourChange.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .max(Comparator.comparing(Write::at)).orElse(null);
    if (last == null) return "by another writer (seen at " + CLOCK.format(Instant.now()) + ")";
    return "by another writer, " + printable(last.manager()) + ", at " + CLOCK.format(last.at());
  }

  private static Instant parse(String time) {
    try {
      return time == null ? null : Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A field manager is any string a client sent: only its printable characters reach a message. */
  private static String printable(String s) {
    String clean = s.replaceAll("\\p{C}", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
