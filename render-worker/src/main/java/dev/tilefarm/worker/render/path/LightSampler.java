package dev.tilefarm.worker.render.path;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses one light for next-event estimation with probability proportional to its power (pbrt's
 * {@code PowerLightSampler}), so a dim fill light does not take as many samples as the sun. Lights of zero
 * power are never chosen; their emission is still found, at full weight, by paths that hit them.
 */
final class LightSampler {
  private final Light[] lights;
  private final double[] cdf;
  private final Map<Light, Double> pmf = new IdentityHashMap<>();

  LightSampler(List<Light> all) {
    this.lights = all.toArray(new Light[0]);
    this.cdf = new double[lights.length + 1];
    double total = 0;
    for (Light l : lights) {
      double p = l.power();
      total += Double.isFinite(p) && p > 0 ? p : 0;
    }
    for (int i = 0; i < lights.length; i++) {
      double p = lights[i].power();
      double share = total > 0 ? (Double.isFinite(p) && p > 0 ? p : 0) / total : 1.0 / lights.length;
      cdf[i + 1] = cdf[i] + share;
      if (share > 0) {
        pmf.merge(lights[i], share, Double::sum);
      }
    }
    if (lights.length > 0) {
      cdf[lights.length] = 1;
    }
  }

  boolean isEmpty() {
    return pmf.isEmpty();
  }

  /** The light for uniform {@code u}; never one of zero probability. */
  Light choose(double u) {
    int lo = 0;
    int hi = lights.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid + 1] <= u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lights[lo];
  }

  double pmf(Light light) {
    Double p = pmf.get(light);
    return p == null ? 0 : p;
  }
}
