package dev.tilefarm.worker.render.path;

import java.util.List;

/**
 * What an integrator sees: the geometry, the lights that can be sampled directly (including the
 * environment), and the environment itself, which rays that hit nothing see (null: black).
 */
record Scene(Aggregate aggregate, List<Light> lights, EnvironmentLight environment) {
  Scene {
    lights = List.copyOf(lights);
  }
}
