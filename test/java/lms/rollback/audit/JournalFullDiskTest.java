package lms.rollback.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import lms.rollback.core.LmsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk, for real: a 64 KiB tmpfs (mounted as root, or with password-less sudo). The journal keeps whole lines, or nothing. */
class JournalFullDiskTest {

  @TempDir Path base;
  Path disk;
  boolean mounted;
  /** How the tmpfs was mounted, so it is unmounted the same way: directly as root, else through sudo -n. */
  String[] asRoot = {};

  @BeforeEach
  void mountASmallDisk() throws Exception {
    disk = Files.createDirectory(base.resolve("disk"));
    String said = "";
    for (String[] prefix : new String[][] {{}, {"sudo", "-n"}}) {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(prefix));
      command.addAll(java.util.List.of("mount", "-t", "tmpfs", "-o", "size=64k,mode=1777", "tmpfs", disk.toString()));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      said = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() == 0) {
        mounted = true;
        asRoot = prefix;
        return;
      }
    }
    // a test that did not run never counts as passed: test/provide-tools stops without root or sudo, and so does this
    org.junit.jupiter.api.Assertions.fail("mounting a tmpfs needs root or password-less sudo: " + said);
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(asRoot));
      command.addAll(java.util.List.of("umount", disk.toString()));
      new ProcessBuilder(command).start().waitFor();
    }
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
