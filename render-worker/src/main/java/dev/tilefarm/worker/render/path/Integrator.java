package dev.tilefarm.worker.render.path;

/** Estimates the radiance arriving along a camera ray. Immutable and thread-safe. */
interface Integrator {
  /**
   * One estimate of the linear RGB radiance arriving at the ray's origin along its direction, drawing its
   * random values from {@code sampler} (already started on this pixel sample) and its working memory from
   * {@code scratch} (the calling thread's).
   */
  Rgb li(Ray ray, Sampler sampler, Scratch scratch);
}
