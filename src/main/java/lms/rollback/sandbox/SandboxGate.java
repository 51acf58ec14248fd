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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import lms.rollback.audit.Journal;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.gate.Authority;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.gate.GateNotifier;
import lms.rollback.gate.GatePlan;
import lms.rollback.gate.GateReminders;
import lms.rollback.gate.Prompt;
import lms.rollback.gate.PromptLog;
import lms.rollback.plan.Plan;

/**
 * What Jenkins and the people around it do for a gate, played on 127.0.0.1 for the sandbox: a
 * build whose input page lists the open prompt and takes a decision, a war-room webhook that
 * shows what it receives, and deciders who are simulated — the primary authority does not
 * answer, the next one follows the link in its escalation notice and approves. The notices,
 * reminders, escalation and decisions go through the same engine as in production.
 */
public final class SandboxGate implements AutoCloseable {

  public static final String BUILD_PATH = "/job/lms-rollback/1/";
  public static final String WAR_ROOM_PATH = "/war-room";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** How often the sandbox's stand-ins read the journal for a decision. */
  private static final Duration POLL = Duration.ofMillis(100);

  /** A decision the simulated person took, and how the link answered them. */
  public record Decided(String by, String role, int level, int linkStatus, Duration waited) {}

  private final Plan plan;
  private final Journal journal;
  private final PrintWriter out;
  private final HttpServer server;
  private final List<String> warRoom = new CopyOnWriteArrayList<>();
  private volatile Prompt open;
  private volatile String requestedBy;

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

  /**
   * Runs the gate of {@code trigger} level by level: notice, reminders beside the prompt, and the
   * person at {@code answeringLevel} approving through the link {@code answerAfter} into its window.
   */
  public Decided run(GateNotifier notifier, String trigger, PromptLog.Request request, double timeScale, int answeringLevel, double answerAfter) {
    requestedBy = request.requestedBy();
    GatePlan gate = new Authority(plan).gateFor(trigger, request.scenario());
    Instant start = Instant.now();
    for (GatePlan.Level level : gate.levels()) {
      Prompt p = Prompt.level(trigger, level.level());
      open = p;
      notifier.open(p, request, timeScale);
      PromptLog.Opened opened = PromptLog.open(journal.read(), p).orElseThrow();
      Thread reminders = new Thread(() -> new GateReminders(notifier, journal, Clock.systemUTC(), POLL, Progress.SILENT).run(p),
          "sandbox-reminders");
      reminders.start();
      int[] linkStatus = {0};
      Thread person = null;
      if (level.level() == answeringLevel) {
        String who = "sandbox." + level.role();
        String group = level.holders().isEmpty() ? who : level.holders().get(0);
        long delay = (long) (opened.window().toMillis() * answerAfter);
        person = new Thread(() -> linkStatus[0] = decideThroughTheLink(opened, who, group, delay), "sandbox-" + level.role());
        person.start();
      }
      Optional<Journal.Entry> closed = PromptLog.awaitClosed(journal, p, opened.seq(), opened.deadline(), POLL, Clock.systemUTC());
      if (closed.isEmpty()) {
        new DecisionRecorder(plan, journal).record(new DecisionRecorder.Decision(trigger, DecisionRecorder.Kind.timeout, "timeout", List.of(), null,
            level.level(), request.requestedBy(), false, false));
        out.printf("  no answer from %s within %s: the gate escalates%n", level.title(), lms.rollback.plan.Budget.format(opened.window()));
        out.flush();
      }
      join(reminders);
      if (person != null) join(person);
      if (closed.isPresent()) {
        open = null;
        var d = closed.get().data();
        return new Decided(d.path("by").asText(), d.path("role").asText(), level.level(), linkStatus[0], Duration.between(start, Instant.now()));
      }
    }
    open = null;
    return null;
  }

  /** The person opens the link from their notice, then approves on that page: what a release engineer does from a phone. */
  private int decideThroughTheLink(PromptLog.Opened opened, String who, String group, long delayMillis) {
    sleep(Duration.ofMillis(delayMillis));
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
    Prompt p = open;
    if (x.getRequestMethod().equals("GET") && path.endsWith("/input/")) {
      respond(x, 200, p == null ? "<p>No input pending.</p>" : "<h1>Paused for input</h1><p id=\"LmsGate" + p.level() + "\">Roll back for "
          + p.trigger() + "? Level " + p.level() + ".</p><form method=\"post\" action=\"LmsGate" + p.level() + "/proceed\"></form>");
      return;
    }
    if (x.getRequestMethod().equals("POST") && p != null && path.endsWith("/input/LmsGate" + p.level() + "/proceed")) {
      Map<String, String> form = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      try {
        new DecisionRecorder(plan, journal).record(new DecisionRecorder.Decision(p.trigger(), DecisionRecorder.Kind.approve, form.get("user"),
            List.of(form.getOrDefault("groups", "").split(",")), form.get("reason"), p.level(), requestedBy, false, false));
        respond(x, 200, "approved");
      } catch (LmsException e) {
        respond(x, 403, e.getMessage());
      }
      return;
    }
    respond(x, 404, "no such input");
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
