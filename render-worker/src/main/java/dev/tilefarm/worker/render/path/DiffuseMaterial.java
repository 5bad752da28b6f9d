package dev.tilefarm.worker.render.path;

/** A Lambertian reflector, two-sided, its albedo optionally multiplied by a texture. */
record DiffuseMaterial(Rgb albedo, Texture texture) implements Material {
  DiffuseMaterial(Rgb albedo) {
    this(albedo, null);
  }

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    Rgb a = texture == null ? albedo : albedo.times(texture.at(hit.u(), hit.v()));
    return new LambertianBsdf(a, Material.facing(hit, wo));
  }
}
