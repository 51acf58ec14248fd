package lms.rollback.gate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/**
 * A decision proven by its decider's SSH key (§10 on a terminal): OpenSSH's {@code ssh-keygen -Y sign} over a statement
 * that names the run, the trigger, the prompt, the decision, the decider and the reason, and {@code -Y verify} against
 * the plan's allowed signers. The run's id makes a signature good for one run only: replayed into another, it fails.
 * ssh-keygen is run with an argument list, never through a shell; the key never leaves the decider's machine or agent.
 */
public final class DecisionSignature {

  private static final Pattern GOOD = Pattern.compile("Good \"[^\"]*\" signature for (\\S+) with (\\S+) key (SHA256:\\S+)");
  private static final long TIMEOUT_SECONDS = 30;

  /** A verified signature: the key that made it, and the armored signature the journal keeps for a later check. */
  public record Verified(String principal, String keyType, String fingerprint, String namespace, String runId, String armored) {
    public java.util.Map<String, Object> asData() {
      java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("principal", principal);
      m.put("key", keyType + " " + fingerprint);
      m.put("namespace", namespace);
      m.put("runId", runId);
      m.put("armored", armored);
      return m;
    }
  }

  private DecisionSignature() {}

  /** What is signed, exactly; {@code lmsctl gate statement} prints it for signing elsewhere. */
  public static String statement(String runId, String trigger, String prompt, String decision, String by, String reason) {
    return "lms-rollback decision v1\nrun: " + runId + "\ntrigger: " + trigger + "\nprompt: " + prompt + "\ndecision: " + decision + "\nby: "
        + Identity.normalize(by) + "\nreason: " + (reason == null ? "" : reason) + "\n";
  }

  /**
   * The largest signature file taken (#38): an SSH signature is under 2 KB even with a 16384-bit RSA key; a larger file is
   * no signature, and once kept ssh-keygen busy for minutes.
   */
  public static final int MAX_SIGNATURE_BYTES = 16 * 1024;
  private static final String ARMOR = "-----BEGIN SSH SIGNATURE-----";

  /**
   * A signature file as {@code --signature} takes it: at most {@link #MAX_SIGNATURE_BYTES}, UTF-8 text, holding an armored
   * SSH signature; refused (exit 2) otherwise, before ssh-keygen sees it.
   */
  public static String readArmored(Path file) {
    String allowed = "allowed: the text file ssh-keygen -Y sign writes (" + ARMOR + " …), at most " + MAX_SIGNATURE_BYTES / 1024 + " KiB";
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_SIGNATURE_BYTES) {
        throw new LmsException(ExitCode.INVALID_INPUT, "--signature: " + file + " is " + size + " bytes, too large for a signature; " + allowed);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--signature: " + file + " cannot be read (" + e.getMessage() + "); " + allowed);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--signature: " + file + " is not text (binary or not UTF-8); " + allowed);
    }
    if (!text.contains(ARMOR) || text.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--signature: " + file + " holds no SSH signature; " + allowed);
    }
    return text;
  }

  /** Signs {@code statement} with {@code key} (a private key, or the public key of one held by ssh-agent). */
  public static String sign(Path key, String namespace, String statement) {
    if (!Files.isReadable(key)) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign-with: " + key + " cannot be read; allowed: your SSH private key file, or the .pub of a "
          + "key in ssh-agent (e.g. ~/.ssh/id_ed25519)");
    }
    Result r = run(List.of("ssh-keygen", "-q", "-Y", "sign", "-f", key.toString(), "-n", namespace), statement);
    if (r.exit != 0 || !r.out.contains("BEGIN SSH SIGNATURE")) {
      throw new LmsException(ExitCode.INVALID_INPUT, "--sign-with: ssh-keygen could not sign with " + key + " (" + firstLine(r.err) + "); nothing was recorded");
    }
    return r.out;
  }

  /**
   * The allowed signers decide who may decide: a file anyone may write, or a line whose principals are a pattern (`*`,
   * `rc.*`: one key signing as anyone), would let one person speak for others (#38). Refused, naming the line.
   */
  static void requireTrustworthy(Path allowedSigners) {
    try {
      var perms = Files.getPosixFilePermissions(allowedSigners);
      if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE) || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)) {
        throw new NotAuthorizedException("gate.signatures.allowedSigners: " + allowedSigners + " may be written by others ("
            + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); allowed: writable by its owner only (chmod 644). Nothing was recorded");
      }
    } catch (UnsupportedOperationException | java.io.IOException e) {
      // no POSIX permissions here (or unreadable, refused below): the lines are still checked
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(allowedSigners, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new NotAuthorizedException("gate.signatures.allowedSigners: " + allowedSigners + " cannot be read (" + e.getMessage() + "); nothing was recorded");
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String principals = line.split("\\s+", 2)[0];
      if (principals.contains("*") || principals.contains("?") || principals.startsWith("!")) {
        throw new NotAuthorizedException("gate.signatures.allowedSigners: line " + (i + 1) + " of " + allowedSigners + " names principals by the pattern '"
            + principals + "': one key could sign as anyone it matches; allowed: each person's own name(s), e.g. rc.jones,rc.jones@company.com. Nothing was recorded");
      }
    }
  }

  /**
   * Verifies that {@code armored} is {@code principal}'s signature of {@code statement} in {@code namespace}, by a key the
   * allowed signers list for them. A refusal says why in one line.
   */
  public static Verified verify(Path allowedSigners, String namespace, String principal, String runId, String statement, String armored) {
    try {
      return verified(allowedSigners, namespace, principal, runId, statement, armored);
    } catch (NotAuthorizedException e) {
      String why = e.getMessage();
      throw new NotAuthorizedException(why.toLowerCase(java.util.Locale.ROOT).endsWith("nothing was recorded") ? why : why + "; nothing was recorded");
    }
  }

  /**
   * Signatures verified in this process, by everything their verification read: the gate counts its decisions again at
   * every look (#38), and a look must not run ssh-keygen once per decision each second while a run waits.
   */
  private static final java.util.Map<String, Verified> VERIFIED = new java.util.concurrent.ConcurrentHashMap<>();

  /** The same check, its refusal without a closing clause: {@link DecisionProof} says what follows from it. */
  static Verified verified(Path allowedSigners, String namespace, String principal, String runId, String statement, String armored) {
    if (allowedSigners == null || !Files.isReadable(allowedSigners)) {
      throw new NotAuthorizedException("gate.signatures.allowedSigners: " + (allowedSigners == null ? "not set" : allowedSigners + " cannot be read")
          + ", so no signature can be verified");
    }
    requireTrustworthy(allowedSigners);
    if (armored == null || armored.length() > MAX_SIGNATURE_BYTES || !armored.contains(ARMOR)) {
      throw new NotAuthorizedException("the signature given as " + principal + "'s is no SSH signature (" + (armored == null ? "none"
          : armored.length() + " characters") + "; one is at most " + MAX_SIGNATURE_BYTES / 1024 + " KiB of " + ARMOR + " text)");
    }
    String cacheKey;
    try {
      cacheKey = String.join("\u0000", allowedSigners.toAbsolutePath().toString(), Files.readString(allowedSigners, StandardCharsets.UTF_8),
          namespace, Identity.normalize(principal), statement, armored);
    } catch (IOException e) {
      throw new NotAuthorizedException("gate.signatures.allowedSigners: " + allowedSigners + " cannot be read (" + e.getMessage() + ")");
    }
    Verified known = VERIFIED.get(cacheKey);
    if (known != null) return known;
    Path sig = null;
    try {
      sig = Files.createTempFile("lms-decision", ".sig");
      Files.writeString(sig, armored, StandardCharsets.UTF_8);
      Result r = run(List.of("ssh-keygen", "-Y", "verify", "-f", allowedSigners.toString(), "-I", Identity.normalize(principal), "-n", namespace,
          "-s", sig.toString()), statement);
      Matcher m = GOOD.matcher(r.out + "\n" + r.err);
      if (r.exit != 0 || !m.find()) {
        throw new NotAuthorizedException("the signature is not " + principal + "'s over this decision of run " + runId + " (ssh-keygen: "
            + firstLine(r.err.isBlank() ? r.out : r.err) + "): signed by a key the plan's allowed signers do not list for " + principal
            + ", or over another run, prompt, decision or reason");
      }
      Verified v = new Verified(m.group(1), m.group(2), m.group(3), namespace, runId, armored);
      VERIFIED.put(cacheKey, v);
      return v;
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot verify the signature: " + e.getMessage());
    } finally {
      if (sig != null) {
        try {
          Files.deleteIfExists(sig);
        } catch (IOException ignored) {
          // a temp file of a signature, which is public anyway
        }
      }
    }
  }

  private record Result(int exit, String out, String err) {}

  /**
   * Runs ssh-keygen within {@link #TIMEOUT_SECONDS} for the whole of it — its input, its work and its output (#38: the
   * bound once began after its output was read, and a 16 MB signature kept it busy for minutes). Its output goes to
   * files and is read afterwards, at most {@link #OUTPUT_LIMIT} bytes of each.
   */
  private static Result run(List<String> command, String stdin) {
    Path out = null;
    Path err = null;
    Process p = null;
    try {
      out = Files.createTempFile("lms-ssh-keygen", ".out");
      err = Files.createTempFile("lms-ssh-keygen", ".err");
      p = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      Process started = p;
      Thread feed = new Thread(() -> {
        try (var in = started.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // ssh-keygen ended (or was ended) before reading it all: its exit says what went wrong
        }
      }, "ssh-keygen-input");
      feed.setDaemon(true);
      feed.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new LmsException(ExitCode.OTHER, "ssh-keygen did not answer within " + TIMEOUT_SECONDS + "s; nothing was recorded");
      }
      return new Result(p.exitValue(), head(out), head(err));
    } catch (IOException e) {
      throw new LmsException(ExitCode.OTHER, "cannot run ssh-keygen (" + e.getMessage() + "); signed decisions need OpenSSH 8.2 or later "
          + "(apt-get install openssh-client)");
    } catch (InterruptedException e) {
      if (p != null) p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LmsException(ExitCode.OTHER, "interrupted while running ssh-keygen");
    } finally {
      for (Path f : new Path[] {out, err}) {
        try {
          if (f != null) Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // a temp file of ssh-keygen's messages
        }
      }
    }
  }

  /** ssh-keygen's answers are a few lines: more than this is not read. */
  private static final int OUTPUT_LIMIT = 64 * 1024;

  private static String head(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      return new String(in.readNBytes(OUTPUT_LIMIT), StandardCharsets.UTF_8);
    }
  }

  private static String firstLine(String s) {
    String t = s == null ? "" : s.strip();
    int nl = t.indexOf('\n');
    return (nl < 0 ? t : t.substring(0, nl)).replaceAll("\\p{C}", "?");
  }
}
