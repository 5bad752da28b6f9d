package dev.tilefarm.worker.render.path;

/** A metal: a mirror at roughness 0, GGX microfacets above it; reflectance {@code f0} at normal incidence. */
record ConductorMaterial(Rgb f0, double roughness) implements Material {
  /** Below this the microfacet lobe is numerically a mirror, and the mirror is exact and cheaper. */
  static final double MIRROR_BELOW = 0.02;

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    Vec3 n = Material.facing(hit, wo);
    if (roughness < MIRROR_BELOW) {
      return new MirrorBsdf(f0, n);
    }
    return new MicrofacetBsdf(f0, new Ggx(roughness), n);
  }
}
