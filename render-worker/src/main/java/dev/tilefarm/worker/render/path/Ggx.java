package dev.tilefarm.worker.render.path;

/**
 * The Trowbridge-Reitz (GGX) microfacet distribution with the height-correlated Smith masking-shadowing
 * term, sampled by its visible normals (Heitz, "Sampling the GGX Distribution of Visible Normals", JCGT
 * 2018), so that every sampled microfacet faces the viewer. Directions are in the local frame (normal +z).
 */
final class Ggx {
  /** Below this alpha the lobe is treated as a mirror by the materials; here it only guards divisions. */
  static final double MIN_ALPHA = 1e-4;

  final double alpha;

  /** @param roughness perceptual roughness in [0, 1]; alpha is its square (glTF, Disney) */
  Ggx(double roughness) {
    this.alpha = Math.max(MIN_ALPHA, roughness * roughness);
  }

  double d(double hx, double hy, double hz) {
    if (hz <= 0) {
      return 0;
    }
    double a2 = alpha * alpha;
    double c2 = hz * hz;
    double k = c2 * (a2 - 1) + 1;
    return a2 / (Math.PI * k * k);
  }

  double lambda(double x, double y, double z) {
    double c2 = z * z;
    double s2 = x * x + y * y;
    if (c2 == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double tan2 = s2 / c2;
    return (-1 + Math.sqrt(1 + alpha * alpha * tan2)) / 2;
  }

  double g1(double x, double y, double z) {
    return 1 / (1 + lambda(x, y, z));
  }

  double g(Vec3 wo, Vec3 wi) {
    return 1 / (1 + lambda(wo.x(), wo.y(), wo.z()) + lambda(wi.x(), wi.y(), wi.z()));
  }

  /** The density of sampling half-vector h from wo (both local, wo.z > 0): G1(wo) max(0, wo.h) D(h) / wo.z. */
  double visibleD(Vec3 wo, Vec3 h) {
    double woh = wo.dot(h);
    if (woh <= 0 || wo.z() <= 0) {
      return 0;
    }
    return g1(wo.x(), wo.y(), wo.z()) * woh * d(h.x(), h.y(), h.z()) / wo.z();
  }

  /** A half-vector drawn with density {@link #visibleD} (wo local, wo.z > 0). */
  Vec3 sampleVisible(Vec3 wo, double u1, double u2) {
    double vx = alpha * wo.x();
    double vy = alpha * wo.y();
    double vz = wo.z();
    double len = Math.sqrt(vx * vx + vy * vy + vz * vz);
    vx /= len;
    vy /= len;
    vz /= len;
    double lensq = vx * vx + vy * vy;
    double t1x;
    double t1y;
    if (lensq > 0) {
      double inv = 1 / Math.sqrt(lensq);
      t1x = -vy * inv;
      t1y = vx * inv;
    } else {
      t1x = 1;
      t1y = 0;
    }
    // T2 = V x T1 (T1 has no z component).
    double t2x = -vz * t1y;
    double t2y = vz * t1x;
    double t2z = vx * t1y - vy * t1x;
    double r = Math.sqrt(u1);
    double phi = 2 * Math.PI * u2;
    double p1 = r * StrictMath.cos(phi);
    double p2 = r * StrictMath.sin(phi);
    double s = 0.5 * (1 + vz);
    p2 = (1 - s) * Math.sqrt(Math.max(0, 1 - p1 * p1)) + s * p2;
    double pz = Math.sqrt(Math.max(0, 1 - p1 * p1 - p2 * p2));
    double nx = p1 * t1x + p2 * t2x + pz * vx;
    double ny = p1 * t1y + p2 * t2y + pz * vy;
    double nz = p2 * t2z + pz * vz;
    Vec3 h = new Vec3(alpha * nx, alpha * ny, Math.max(1e-12, nz));
    return h.normalized();
  }

  /** Schlick's Fresnel approximation per channel, from reflectance f0 at normal incidence. */
  static Rgb schlick(Rgb f0, double cos) {
    double m = Math.max(0, Math.min(1, 1 - cos));
    double m5 = m * m * m * m * m;
    return new Rgb(f0.r() + (1 - f0.r()) * m5, f0.g() + (1 - f0.g()) * m5, f0.b() + (1 - f0.b()) * m5);
  }

  static double schlick(double f0, double cos) {
    double m = Math.max(0, Math.min(1, 1 - cos));
    return f0 + (1 - f0) * m * m * m * m * m;
  }

  static Vec3 reflect(Vec3 w, Vec3 n) {
    return n.times(2 * w.dot(n)).minus(w);
  }
}
