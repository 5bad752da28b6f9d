package dev.tilefarm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.Renderer;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing {@code --renderers} / {@code worker.renderers}, and what it turns off. */
class WorkerRenderersTest {
  @Test
  void aListNamesTheExternalRenderersTakenAndTurnsOffTheRest() {
    WorkerRenderers chosen = WorkerRenderers.parse(" Blender ,povray");
    assertEquals(Set.of(Renderer.POVRAY, Renderer.BLENDER), chosen.taken());
    assertEquals("povray,blender", chosen.toString());
    assertNull(chosen.turnedOff(Renderer.POVRAY));
    assertNull(chosen.turnedOff(Renderer.BLENDER));
    assertEquals("turned off on this worker (--renderers, worker.renderers)", chosen.turnedOff(Renderer.FFMPEG));
    assertTrue(chosen.requires(Renderer.BLENDER), "a named renderer must be installed");
    assertFalse(chosen.requires(Renderer.FFMPEG));
  }

  @Test
  void noneTurnsOffEveryExternalRendererButNoSharedOne() {
    WorkerRenderers none = WorkerRenderers.parse("none");
    assertEquals(Set.of(), none.taken());
    assertEquals("none", none.toString());
    for (Renderer r : Renderer.values()) {
      assertEquals(r.external() ? WorkerRenderers.TURNED_OFF : null, none.turnedOff(r), r.id());
    }
    for (Renderer r : EnumSet.of(Renderer.BUILTIN, Renderer.MANDELBROT, Renderer.SLEEP)) {
      assertNull(none.turnedOff(r), r.id() + " is on the shared lane");
    }
  }

  @Test
  void theDefaultTakesEveryOneInstalledAndRequiresNone() {
    WorkerRenderers all = WorkerRenderers.INSTALLED;
    assertEquals(Set.of(Renderer.POVRAY, Renderer.BLENDER, Renderer.FFMPEG), all.taken());
    for (Renderer r : Renderer.values()) {
      assertNull(all.turnedOff(r), r.id());
      assertFalse(all.requires(r), r.id() + ": where it is not installed, the worker just goes without");
    }
    assertEquals("installed", all.toString());
    assertEquals(all, TileLimits.DEFAULTS.renderers());
  }

  @Test
  void anUnknownNameIsRefusedNamingTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WorkerRenderers.parse("povray,cycles"));
    assertEquals("unknown renderer 'cycles' (valid: povray, blender, ffmpeg, or none)", e.getMessage());
  }

  @Test
  void theSharedLanesRenderersCannotBeChosenNorTurnedOff() {
    for (String shared : new String[] {"builtin", "mandelbrot", "sleep"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> WorkerRenderers.parse("povray," + shared));
      assertEquals(shared + " comes on the shared lane, which every worker takes: it cannot be chosen (valid: "
          + "povray, blender, ffmpeg, or none)", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new WorkerRenderers(Set.of(Renderer.BUILTIN), true));
  }

  @Test
  void emptyNamesAndNoneBesideRenderersAreRefused() {
    assertEquals("'povray,' has an empty name (valid: povray, blender, ffmpeg, or none)",
        assertThrows(IllegalArgumentException.class, () -> WorkerRenderers.parse("povray,")).getMessage());
    assertEquals("'' has an empty name (valid: povray, blender, ffmpeg, or none)",
        assertThrows(IllegalArgumentException.class, () -> WorkerRenderers.parse("")).getMessage());
    assertEquals("none cannot be combined with renderers in 'none,povray'",
        assertThrows(IllegalArgumentException.class, () -> WorkerRenderers.parse("none,povray")).getMessage());
  }
}
