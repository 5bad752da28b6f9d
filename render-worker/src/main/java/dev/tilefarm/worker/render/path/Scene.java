package dev.tilefarm.worker.render.path;

import java.util.List;

/**
 * What an integrator sees: the geometry, the lights that can be sampled directly, and the sky, a uniform
 * radiance arriving from every direction in which no object lies.
 */
record Scene(Aggregate aggregate, List<Light> lights, Rgb sky) {
  Scene {
    lights = List.copyOf(lights);
  }
}
