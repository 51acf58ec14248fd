package lms.rollback.runbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One small JSON file per step as it ends — done, failed, or found done by an earlier call — in
 * {@code <out-dir>/steps/<action>.json}: the step's element of the run's JSON {@code steps}. A driver
 * that follows the one engine process from outside (Jenkins' stages, beside it in the same build)
 * waits for these instead of starting an lmsctl of its own per step. Written whole, then renamed,
 * so a reader never sees half a file.
 */
public final class StepFiles implements StepRunner.Listener {

  public static final String FOLDER = "steps";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  public StepFiles(Path outDir) {
    this.dir = outDir.resolve(FOLDER);
  }

  /** Where the file of {@code action} is (or will be). */
  public Path of(String action) {
    return dir.resolve(action + ".json");
  }

  /** Where the engine says {@code action} overran its budget and the plan's grace (written only then). */
  public Path overrunOf(String action) {
    return dir.resolve(action + ".overrun.json");
  }

  /** The step still runs past its budget and grace: the engine's reason, for a driver that stops waiting for it. */
  public void overran(String action, java.util.Map<String, Object> overrun) {
    write(action + ".overrun", overrun);
  }

  @Override
  public void finished(StepRunner.Outcome outcome) {
    write(outcome.action(), outcome.asData());
  }

  private void write(String name, Object data) {
    try {
      Files.createDirectories(dir);
      Path part = dir.resolve("." + name + ".json.part");
      Files.write(part, JSON.writeValueAsBytes(data));
      Files.move(part, dir.resolve(name + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the step's file in " + dir + ": " + e.getMessage(), e);
    }
  }
}
