package lms.rollback.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

@Command(name = "audit", mixinStandardHelpOptions = true, subcommands = {AuditCommand.VerifyVerb.class, AuditCommand.RecordVerb.class},
    description = {"The audit journal (runbook §8.1): verify its hash chain, or add an entry.",
        "",
        "The journal is --out-dir/journal.jsonl: one JSON object a line with timestamp, actor, type, data and the SHA-256 of the line before it."},
    footer = {"", "Examples:", "  lmsctl audit verify --out-dir lms-rollback-out",
        "  lmsctl audit record --type checklist.item --field step=4 --field action=\"Pause pending transactions\"", ""})
final class AuditCommand extends CommandGroup {


  @Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Check that no entry of the journal was edited, removed or reordered, and name the first bad line.",
          "",
          "An edit to the very last entry, or entries cut off the end, can only be seen against the head hash recorded elsewhere: every entry rewrites it beside the journal (journal.sha256, archived by the Jenkins steps with the journal), and it is checked by default; --expect-head gives one from elsewhere. A byte that is not UTF-8 is named with its line."},
      footerHeading = "%nExit codes:%n",
      footer = {"  0  intact", "  4  the chain is broken; stderr names the first bad line", "", "Example:",
          "  lmsctl audit verify --journal build-41/journal.jsonl --expect-head $(cat build-41/journal.sha256)",
          "  lmsctl audit verify --journal build-41/journal.jsonl --anchor 57:SHA256    # as the war room's closing message gives it", ""})
  static final class VerifyVerb implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Mixin OutputOptions output;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--journal", paramLabel = "FILE", description = "Journal to check. Default: --out-dir/journal.jsonl.")
    Path journal;

    @Option(names = "--expect-head", paramLabel = "SHA256", description = "SHA-256 of the last entry as recorded elsewhere. Default: journal.sha256 beside the journal, when it is there.")
    String expectedHead;

    @Option(names = "--anchor", paramLabel = "SEQ:SHA256",
        description = "An entry published outside the machine (the war room's closing message gives it): the journal must still hold it, unchanged, with its chain intact up to it and on. Default: none.")
    String anchor;

    @Override
    public Integer call() {
      Path file = journal != null ? journal : output.outDir().resolve(Journal.FILE_NAME);
      ChainVerifier.Result r;
      if (anchor != null) {
        var m = java.util.regex.Pattern.compile("(\\d+):([0-9a-fA-F]{64})").matcher(anchor.strip());
        if (!m.matches()) {
          throw new LmsException(ExitCode.INVALID_INPUT, "--anchor: '" + anchor + "' is not SEQ:SHA256; allowed: an entry number, a colon and 64 hex digits, as the war room's message gives it");
        }
        r = ChainVerifier.verifyAnchored(file, Long.parseLong(m.group(1)), m.group(2));
      } else {
        r = ChainVerifier.verify(file, expectedHead);
      }
      var out = spec.commandLine().getOut();
      if (output.json()) {
        out.println(Journal.json(r.asData()));
      } else if (r.intact()) {
        out.println(file + ": intact, " + r.entries() + " entries; head sha256 " + r.head());
      }
      out.flush();
      if (!r.intact()) {
        // verifying must not write to the journal it judges
        throw new LmsException(ExitCode.VERIFICATION_FAILED, file + ": " + r.problem());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Add an entry to the journal: for what happens outside lmsctl (a checklist item done by hand, a note of the Release Commander, a Jenkins stage)."},
      footer = {"", "Example:", "  lmsctl audit record --type checklist.item --field step=1 --field action=\"Announced on the war room\"", ""})
  static final class RecordVerb extends Verb {

    static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*");

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Event type, dotted lower case, e.g. checklist.item.")
    String type;

    @Option(names = "--field", paramLabel = "KEY=VALUE", description = "A field of the entry's data; repeatable.")
    Map<String, String> fields = new LinkedHashMap<>();

    @Override
    Outcome execute(Journal journal) {
      if (!TYPE.matcher(type).matches()) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--type: '" + type + "' is not allowed; use dotted lower case like checklist.item");
      }
      if (type.equals("data-review.done") && fields.getOrDefault("reviewed", "").isBlank()) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--field reviewed: a data review (§1.2) says what was checked, e.g. --field reviewed=\"leave requests created since 14:05 match Blue's schema\"");
      }
      Journal.Entry e = journal.appendPersonal(type, fields);
      List<String> text = new ArrayList<>();
      text.add("Recorded entry " + e.seq() + " (" + type + ")");
      return new Outcome(ExitCode.OK, Map.of("seq", e.seq(), "type", type), text);
    }
  }
}
