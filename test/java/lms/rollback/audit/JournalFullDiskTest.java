package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import lms.rollback.core.LmsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk, for real: a 64 KiB tmpfs (root only, as CI runs). The journal keeps whole lines, or nothing. */
class JournalFullDiskTest {

  @TempDir Path base;
  Path disk;
  boolean mounted;

  @BeforeEach
  void mountASmallDisk() throws Exception {
    disk = Files.createDirectory(base.resolve("disk"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString()).redirectErrorStream(true).start();
    mounted = p.waitFor() == 0;
    String why = "mounting a tmpfs needs root: " + new String(p.getInputStream().readAllBytes());
    // CI runs as root: there the test must run, as the tools' tests must (lms.rollback.testing.Tool); elsewhere it is skipped, saying why
    if (!mounted && "true".equals(System.getenv("CI"))) org.junit.jupiter.api.Assertions.fail("CI must run this as root: " + why);
    assumeTrue(mounted, why);
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) new ProcessBuilder("umount", disk.toString()).start().waitFor();
  }

  @Test
  void aFullDiskAddsNothingTheCommandFailsAndOnceThereIsSpaceTheJournalGoesOn() throws Exception {
    Journal journal = new Journal(disk, "alice");
    for (int i = 0; i < 3; i++) journal.appendPersonal("note", Map.of("n", i));
    Path file = disk.resolve(Journal.FILE_NAME);
    Path filler = disk.resolve("filler");
    fill(filler);
    byte[] before = Files.readAllBytes(file);

    LmsException e = assertThrows(LmsException.class, () -> journal.appendPersonal("note", Map.of("text", "x".repeat(16_000))));

    assertTrue(e.getMessage().contains("nothing was added to it"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file), "the journal is as it was: no half line");
    assertTrue(ChainVerifier.verify(file, null).intact());

    Files.delete(filler);
    journal.appendPersonal("note", Map.of("text", "after the disk was freed"));

    assertEquals(4, journal.read().size());
    assertTrue(ChainVerifier.verify(file, null).intact(), ChainVerifier.verify(file, null).toString());
  }

  /** Writes until the disk is full, leaving a few bytes free: less than any entry needs. */
  private static void fill(Path filler) throws IOException {
    try (var out = Files.newOutputStream(filler)) {
      byte[] block = new byte[1024];
      while (true) out.write(block);
    } catch (IOException full) {
      // full
    }
  }
}
