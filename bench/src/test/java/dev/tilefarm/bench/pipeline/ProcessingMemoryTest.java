package dev.tilefarm.bench.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The processing section's memory row beside libvips: parsing what Linux, GNU time and jcmd print, and the row. */
class ProcessingMemoryTest {
  private static final List<ProcessingMemory.Role> ROLES = List.of(
      new ProcessingMemory.Role("splitter", 180_000_000, 150_000_000, 30_000_000, 60_000_000),
      new ProcessingMemory.Role("compositor", 408_000_000, 360_000_000, 40_000_000, 300_000_000),
      new ProcessingMemory.Role("worker", 350_000_000, 320_000_000, 30_000_000, 100_000_000));

  @Test
  void procStatusFieldsAreReadInBytes() {
    List<String> status = List.of("Name:\tvips", "VmPeak:\t  812345 kB", "VmHWM:\t   51200 kB", "VmRSS:\t   20480 kB",
        "RssAnon:\t   18000 kB");
    assertEquals(51_200L * 1024, RoleProcesses.statusBytes(status, "VmHWM"));
    assertEquals(20_480L * 1024, RoleProcesses.statusBytes(status, "VmRSS"));
    // An exited process (a zombie) has no memory fields.
    assertEquals(-1, RoleProcesses.statusBytes(List.of("Name:\tvips", "State:\tZ (zombie)"), "VmHWM"));
    var e = assertThrows(IllegalArgumentException.class, () -> RoleProcesses.statusBytes(List.of("VmHWM:\t12 MB"),
        "VmHWM"));
    assertEquals("/proc status field VmHWM: expected a count of kB, got '12 MB'", e.getMessage());
  }

  @Test
  void gnuTimesMaximumResidentSetIsItsLastLine() {
    assertEquals(51_200, Vips.maxResidentKb("51200\n"));
    assertEquals(51_200, Vips.maxResidentKb("Command exited with non-zero status 1\n51200\n"));
    var e = assertThrows(IllegalArgumentException.class, () -> Vips.maxResidentKb("time: cannot run vips\n"));
    assertTrue(e.getMessage().startsWith("GNU time's maximum resident set (%M): expected a count of kB"),
        e.getMessage());
  }

  @Test
  void theHeapsCommittedSizeComesFromJcmd() {
    String g1 = "5846:\ngarbage-first heap   total reserved 6172672K, committed 12288K, used 3877K [0x0000000687400000, "
        + "0x0000000800000000)\n region size 4096K, 1 young (4096K), 0 survivors (0K)\n Metaspace       used 1200K, "
        + "committed 1408K, reserved 1114112K\n";
    assertEquals(12_288, ProcessingMemory.heapCommittedKb(g1));
    assertThrows(IllegalArgumentException.class, () -> ProcessingMemory.heapCommittedKb("5846:\nNo such command\n"));
  }

  @Test
  void theRowGivesEachFarmProcessAgainstVipsAsAReferenceFigure() {
    Vips.Run vips = new Vips.Run(List.of(new Vips.Command("gaussblur in.png t.v 2.0", 51_000_000),
        new Vips.Command("colourspace t.v out.png b-w", 34_000_000)), "GNU time", 900);
    Section.Result r = ProcessingMemory.result(8192, 2, 2, ROLES, vips);
    Row row = r.rows().get(0);
    assertEquals(Row.Mark.REFERENCE, row.mark());
    assertFalse(row.reached());
    assertEquals("peak resident: splitter 180 MB, compositor 408 MB, worker 350 MB", row.measured());
    assertEquals("vips: 51 MB (the larger of its 2 commands: gaussblur 51 MB, colourspace 34 MB)", row.reference());
    assertEquals("compositor 8.0x of vips", row.ratio());
    assertEquals("vips is the reference for streaming memory (no numeric aim)", row.aim());
    assertTrue(row.markdown().endsWith("| reference figure |"), row.markdown());
    assertTrue(r.notes().get(0).contains("vips ran as 2 commands, `vips gaussblur in.png t.v 2.0` then `vips "
        + "colourspace t.v out.png b-w`"), r.notes().get(0));
    // The compositor: 300 MB of heap against 108 MB outside it.
    assertTrue(r.notes().get(1).startsWith("**Peak memory beside libvips**: most is held by the compositor, peak 408 "
        + "MB: mostly heap, its Java heap committed 300 MB after the job (jcmd GC.heap_info) and the other 108 MB "
        + "of its peak outside the heap"), r.notes().get(1));
  }

  @Test
  void withoutVipsTheRowSaysHowToInstallIt() {
    Row row = ProcessingMemory.result(1024, 2, 2, ROLES, null).rows().get(0);
    assertEquals("vips not found: apt-get install libvips-tools", row.reference());
    assertEquals("—", row.ratio());
    assertEquals(Row.Mark.REFERENCE, row.mark());
  }

  @Test
  void aProcessMostlyOutsideItsHeapIsNamedSo() {
    String note = ProcessingMemory.holder(ROLES.get(2));
    assertTrue(note.startsWith("worker, peak 350 MB: mostly outside the Java heap, its Java heap committed 100 MB"),
        note);
    assertTrue(note.endsWith("after the job 320 MB anonymous and 30 MB of mapped files (RssAnon, RssFile)"), note);
  }
}
