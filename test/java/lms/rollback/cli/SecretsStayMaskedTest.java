package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials in a URL never leave through stdout, stderr or the JUnit XML Jenkins shows, as they never did through the journal. */
class SecretsStayMaskedTest {

  @TempDir Path out;

  @Test
  void urlCredentialsAreMaskedOnStdoutStderrAndInJUnit() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Path junit = out.resolve("verify-blue-junit.xml");
      // on Blue first: verify-blue reaches its probes (with the URLs' credentials) only where the cluster serves from Blue
      assertEquals(0, LmsctlProcess.run(Map.of(), "switch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir",
          out.toString()).exit());

      Cli.Run run = LmsctlProcess.run(Map.of(), "verify-blue", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir",
          out.toString(), "--base-url", "http://lms:lms-s3cret@127.0.0.1:1/", "--prometheus", "http://prom:prom-s3cret@127.0.0.1:1/",
          "--window", "1s", "--junit", junit.toString(), "-o", "json");

      assertEquals(4, run.exit(), run.out() + run.err());
      assertTrue(Files.exists(junit));
      for (String text : new String[] {run.out(), run.err(), Files.readString(junit), Files.readString(out.resolve("journal.jsonl"))}) {
        assertFalse(text.contains("s3cret"), text);
      }
      assertTrue(run.out().contains("****") || run.err().contains("****"), run.out() + run.err());
    }
  }

  @Test
  void aFailureIsOneMaskedLineEvenWhenAnArgumentHoldsANewline() {
    Cli.Run run = Cli.lmsctl("rollback", "--scenario", "Z\nsecond line", "--trigger", "MAN-001", "--out-dir", out.toString(),
        "--kubeconfig", out.resolve("none.yaml").toString());

    assertEquals(1, run.err().strip().lines().count(), run.err());
  }
}
