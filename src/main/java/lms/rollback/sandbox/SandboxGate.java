package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.LmsException;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.Prompt;
import lms.rollback.gate.PromptLog;
import lms.rollback.plan.Plan;

/**
 * What Jenkins and the people around it do for a gate, played on 127.0.0.1 for the sandbox: a
 * build whose input page lists the open prompt and takes a decision, a war-room webhook that
 * shows what it receives, and a decider who follows the link in the notice that reaches their
 * level and approves there. Everything else — the notices, the reminders, the escalation when a
 * window runs out — is the engine's own gate ({@link lms.rollback.gate.GateRun}), as in production.
 */
public final class SandboxGate implements AutoCloseable {

  public static final String BUILD_PATH = "/job/lms-rollback/1/";
  public static final String WAR_ROOM_PATH = "/war-room";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** How often the sandbox's stand-ins read the journal for a prompt. */
  public static final Duration POLL = Duration.ofMillis(100);

  /** A decision the simulated person took, and how the link answered them. */
  public record Decided(String by, int level, int linkStatus) {}

  private final Plan plan;
  private final Journal journal;
  private final PrintWriter out;
  private final HttpServer server;
  private final List<String> warRoom = new CopyOnWriteArrayList<>();
  private volatile Decided decided;
  private Thread person;

  private SandboxGate(Plan plan, Journal journal, PrintWriter out) throws IOException {
    this.plan = plan;
    this.journal = journal;
    this.out = out;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(WAR_ROOM_PATH, this::warRoom);
    server.createContext(BUILD_PATH, this::build);
    server.start();
  }

  public static SandboxGate start(Plan plan, Journal journal, PrintWriter out) throws IOException {
    return new SandboxGate(plan, journal, out);
  }

  public String buildUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + BUILD_PATH;
  }

  public String warRoomUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + WAR_ROOM_PATH;
  }

  public List<String> warRoomMessages() {
    return List.copyOf(warRoom);
  }

  /** What the person did, once they did it (null: they never got to decide). */
  public Decided decided() {
    if (person != null) join(person);
    return decided;
  }

  /**
   * The decider of {@code level} of {@code trigger}'s gate: when the engine opens that prompt, they
   * read the notice and, {@code answerAfter} of its window later, approve through its link.
   */
  public void answerAt(String trigger, int level, String role, String group, double answerAfter) {
    Prompt p = Prompt.level(trigger, level);
    person = new Thread(() -> {
      PromptLog.Opened opened = awaitOpened(p);
      if (opened == null) return;
      String who = "sandbox." + role;
      sleep(Duration.ofMillis((long) (opened.window().toMillis() * answerAfter)));
      int status = decideThroughTheLink(opened, who, group);
      decided = new Decided(who, level, status);
    }, "sandbox-" + role);
    person.setDaemon(true);
    person.start();
  }

  /** Waits (up to an hour of sandbox time) for the engine to open the prompt; null if the gate closed first. */
  private PromptLog.Opened awaitOpened(Prompt p) {
    long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        List<Journal.Entry> entries = RunLog.read(journal).current();
        Optional<PromptLog.Opened> opened = PromptLog.open(entries, p);
        if (opened.isPresent()) return opened.get();
        if (entries.stream().anyMatch(e -> e.is(Event.SCENARIO_DECIDED) || e.is(Event.SCENARIO_REJECTED))) return null;
      } catch (LmsException e) {
        // a line being written as we read: look again
      }
      sleep(POLL);
    }
    return null;
  }

  /** The person opens the link from their notice, then approves on that page: what a release engineer does from a phone. */
  private int decideThroughTheLink(PromptLog.Opened opened, String who, String group) {
    String link = opened.request().link();
    try {
      HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(link)).GET().build(), HttpResponse.BodyHandlers.ofString());
      String form = "user=" + enc(who) + "&groups=" + enc(group) + "&reason=" + enc("no answer from the primary authority, error rate still climbing");
      HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(link + "LmsGate" + opened.prompt().level() + "/proceed"))
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString());
      out.printf("  %s opened %s (HTTP %d) and approved (HTTP %d)%n", who, link, page.statusCode(), answer.statusCode());
      out.flush();
      return page.statusCode();
    } catch (IOException | InterruptedException e) {
      out.println("  " + who + " could not open " + link + ": " + e.getMessage());
      return -1;
    }
  }

  private void warRoom(HttpExchange x) throws IOException {
    String text = JSON.readTree(x.getRequestBody().readAllBytes()).path("text").asText();
    warRoom.add(text);
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    out.println("  war room <- " + lines.get(0));
    lines.stream().filter(l -> l.startsWith("No answer from") || l.startsWith("Approve or reject")).forEach(l -> out.println("                " + l));
    out.flush();
    respond(x, 200, "ok");
  }

  /** A build's input page: GET lists the open prompt; POST …/input/LmsGateN/proceed records a decision as Jenkins' input step would return it. */
  private void build(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    PromptLog.Opened opened = openPrompt();
    Prompt p = opened == null ? null : opened.prompt();
    if (x.getRequestMethod().equals("GET") && path.endsWith("/input/")) {
      respond(x, 200, p == null ? "<p>No input pending.</p>" : "<h1>Paused for input</h1><p id=\"LmsGate" + p.level() + "\">Roll back for "
          + p.trigger() + "? Level " + p.level() + ".</p><form method=\"post\" action=\"LmsGate" + p.level() + "/proceed\"></form>");
      return;
    }
    if (x.getRequestMethod().equals("POST") && p != null && path.endsWith("/input/LmsGate" + p.level() + "/proceed")) {
      Map<String, String> form = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      try {
        // as Jenkins does: the decision is the approver's act, journaled under their name
        new DecisionRecorder(plan, new Journal(journal.file().getParent(), form.get("user"))).record(new DecisionRecorder.Decision(p.trigger(), DecisionRecorder.Kind.approve, form.get("user"),
            List.of(form.getOrDefault("groups", "").split(",")), form.get("reason"), p.level(), opened.request().requestedBy(), false, false));
        respond(x, 200, "approved");
      } catch (LmsException e) {
        respond(x, 403, e.getMessage());
      }
      return;
    }
    respond(x, 404, "no such input");
  }

  /** The prompt the engine has open now, as the journal says. */
  private PromptLog.Opened openPrompt() {
    List<Journal.Entry> entries = RunLog.read(journal).current();
    PromptLog.Opened latest = null;
    for (Journal.Entry e : entries) {
      if (e.is(Event.GATE_OPENED)) {
        Prompt p = e.data().path("database").asBoolean(false) ? Prompt.database(e.data().path("trigger").asText())
            : Prompt.level(e.data().path("trigger").asText(), e.data().path("level").asInt());
        latest = PromptLog.open(entries, p).orElse(latest);
      }
    }
    return latest;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> m = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void respond(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", body.startsWith("<") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
    x.sendResponseHeaders(status, bytes.length);
    try (var o = x.getResponseBody()) {
      o.write(bytes);
    }
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
