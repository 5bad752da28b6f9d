package dev.tilefarm.worker.render.path;

/**
 * A piece of the scene as the acceleration structure sees it: geometry with its material and, if it is
 * sampled directly as a light, its light(s). Closed: {@link Accel} dispatches on these three kinds.
 */
sealed interface Primitive permits Primitive.SpherePrim, Primitive.PlanePrim, Primitive.Instance {
  /** A sphere; {@code light} samples its emission, or is null. */
  record SpherePrim(Sphere sphere, Material material, Light light) implements Primitive {}

  /** An infinite plane: never in the BVH (it has no finite bounds), and never a sampled light. */
  record PlanePrim(Plane plane, Material material) implements Primitive {}

  /**
   * A mesh placed in the world by {@code toWorld}: many instances share one {@link TriangleMesh} and its BVH.
   * {@code lights[t]} samples the emission of input triangle t, or the array is null when nothing emits.
   */
  record Instance(TriangleMesh mesh, Transform toWorld, Material material, Light[] lights) implements Primitive {
    /** World-space bounds: the eight transformed corners of the object-space box. */
    double[] worldBounds() {
      double[] b = mesh.bounds;
      double[] out = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
      for (int c = 0; c < 8; c++) {
        Vec3 p = toWorld.point(new Vec3(b[(c & 1) == 0 ? 0 : 3], b[(c & 2) == 0 ? 1 : 4], b[(c & 4) == 0 ? 2 : 5]));
        out[0] = Math.min(out[0], p.x());
        out[1] = Math.min(out[1], p.y());
        out[2] = Math.min(out[2], p.z());
        out[3] = Math.max(out[3], p.x());
        out[4] = Math.max(out[4], p.y());
        out[5] = Math.max(out[5], p.z());
      }
      return out;
    }
  }
}
