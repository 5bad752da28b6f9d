package dev.tilefarm.worker.render.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The probe's work counters, on meshes whose trees are known by hand. */
class TraceProbeTest {
  /** The triangle (0,0,0), (1,0,0), (0,1,0) {@code copies} times over, all the same. */
  private static TraceProbe stacked(int copies) {
    int[] indices = new int[3 * copies];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i % 3;
    }
    return TraceProbe.of(new double[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, indices);
  }

  /** The probe's node visits and triangle tests so far. */
  private static void assertWork(TraceProbe probe, long nodes, long triangles) {
    assertEquals(nodes, probe.nodeVisits(), "node visits");
    assertEquals(triangles, probe.triangleTests(), "triangle tests");
  }

  @Test
  void aSingleLeafMeshVisitsNoNodeAndTestsItsTriangles() {
    TraceProbe probe = stacked(1);
    assertEquals(1, probe.closestHit(0.25, 0.25, 1, 0, 0, -1, Double.POSITIVE_INFINITY), 1e-12);
    assertWork(probe, 0, 1);
    // The caller has tested the mesh's bounds, so a miss still tests the leaf.
    assertFalse(probe.anyHit(5, 5, 1, 0, 0, -1, 10));
    assertWork(probe, 0, 2);
  }

  /**
   * Nine triangles with one centroid cannot be split by a plane, so the build halves them by index into leaves of
   * 4 and 5 under one root node: a ray through them visits the root, then both leaves for the nearest hit (their
   * boxes start where the hit is), and only the first triangle of the nearer leaf for any hit.
   */
  @Test
  void nineStackedTrianglesAreOneNodeAndTwoLeaves() {
    TraceProbe probe = stacked(9);
    assertEquals(1, probe.closestHit(0.25, 0.25, 1, 0, 0, -1, Double.POSITIVE_INFINITY), 1e-12);
    assertWork(probe, 1, 9);
    assertTrue(probe.anyHit(0.25, 0.25, 1, 0, 0, -1, 10));
    assertWork(probe, 2, 10);
    // A ray beside the mesh misses both child boxes at the root: no triangle is tested.
    assertEquals(Double.POSITIVE_INFINITY, probe.closestHit(5, 5, 1, 0, 0, -1, Double.POSITIVE_INFINITY));
    assertWork(probe, 3, 10);
  }
}
