package dev.tilefarm.worker.render.path;

/** Smooth glass: index of refraction {@code ior} inside (outside is vacuum), transmission tinted by {@code tint}. */
record DielectricMaterial(double ior, Rgb tint) implements Material {
  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    // The outward shading normal, on the geometric normal's side: which side is inside decides the refraction.
    Vec3 n = hit.shading().dot(hit.normal()) >= 0 ? hit.shading() : hit.shading().negate();
    return new GlassBsdf(ior, tint, n);
  }
}
