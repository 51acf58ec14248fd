package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import lms.rollback.plan.PlanLoader;

/**
 * The built-in plan with one environment pointed at the sandbox's LMS and Prometheus stand-ins, so
 * that anything that takes a plan — lmsctl, the Jenkins job's PLAN parameter — can roll the
 * served sandbox back end to end.
 */
public final class SandboxPlan {
  public static final String FILE = "sandbox-plan.yaml";
  /** The stand-in's sidecars follow a change within {@link MetricsStandIn#PROPAGATION}; this covers it and the requests in flight. */
  public static final String ROUTE_PROPAGATION = "1s";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SandboxPlan() {}

  public static Path write(Path file, String environment, String lmsUrl, String prometheusUrl) throws IOException {
    ObjectNode plan;
    try (InputStream in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      plan = (ObjectNode) YAML.readTree(in);
    }
    ObjectNode env = (ObjectNode) plan.path("environments").path(environment);
    env.put("baseUrl", lmsUrl);
    env.put("prometheusUrl", prometheusUrl);
    ObjectNode verification = (ObjectNode) plan.path("verification");
    verification.put("scrapeInterval", MetricsStandIn.SCRAPE_INTERVAL.toSeconds() + "s");
    verification.put("routePropagation", ROUTE_PROPAGATION);
    verification.put("evaluationStep", MetricsStandIn.SCRAPE_INTERVAL.toSeconds() + "s");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, "# Written by lmsctl sandbox --serve: the built-in plan, with '" + environment + "' on the sandbox's stand-ins.\n"
        + YAML.writeValueAsString(plan), StandardCharsets.UTF_8);
    return file;
  }
}
