package dev.tilefarm.worker.render.path;

/**
 * The glTF 2.0 metallic-roughness material. Textures are optional: base colour (linear, multiplied),
 * metallic-roughness (roughness in green, metallic in blue, multiplied), tangent-space normal map (scaled in
 * x and y by {@code normalScale}) and emission (multiplied by {@code emission}).
 */
record PbrMaterial(Rgb baseColor, Texture baseColorTexture, double metallic, double roughness,
    Texture metallicRoughnessTexture, Texture normalTexture, double normalScale, Rgb emissionFactor,
    Texture emissiveTexture) implements Material {

  @Override
  public Rgb emission(double u, double v) {
    if (emissionFactor.isBlack()) {
      return Rgb.BLACK;
    }
    return emissiveTexture == null ? emissionFactor : emissionFactor.times(emissiveTexture.at(u, v));
  }

  @Override
  public double maxEmission() {
    return emissionFactor.luminance() * (emissiveTexture == null ? 1 : emissiveTexture.maxLuminance());
  }

  @Override
  public Bsdf bsdf(SurfaceHit hit, Vec3 wo) {
    Rgb base = baseColorTexture == null ? baseColor : baseColor.times(baseColorTexture.at(hit.u(), hit.v()));
    double m = metallic;
    double r = roughness;
    if (metallicRoughnessTexture != null) {
      Rgb mr = metallicRoughnessTexture.at(hit.u(), hit.v());
      r *= mr.g();
      m *= mr.b();
    }
    SurfaceHit shaded = normalTexture == null ? hit : hit.withShading(mapNormal(hit));
    return new PbrBsdf(base, m, r, Material.facing(shaded, wo), wo);
  }

  /** The normal map's normal in world space, in the tangent frame of dp/du, dp/dv and the shading normal. */
  private Vec3 mapNormal(SurfaceHit hit) {
    Vec3 n = hit.shading();
    Vec3 t = hit.dpdu().minus(n.times(n.dot(hit.dpdu())));
    if (!(t.lengthSquared() > 0)) {
      return n;
    }
    t = t.normalized();
    Vec3 b = n.cross(t);
    if (b.dot(hit.dpdv()) < 0) {
      b = b.negate();
    }
    Rgb texel = normalTexture.at(hit.u(), hit.v());
    double x = (2 * texel.r() - 1) * normalScale;
    double y = (2 * texel.g() - 1) * normalScale;
    double z = 2 * texel.b() - 1;
    Vec3 mapped = t.times(x).plus(b.times(y)).plus(n.times(z));
    double len = mapped.length();
    if (!(len > 0) || mapped.dot(n) <= 0) {
      return n;
    }
    return mapped.times(1 / len);
  }
}
