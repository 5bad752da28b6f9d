/**
 * The builtin path tracer, shaped like pbrt-v4 and Sunflow in miniature: small interfaces ({@code Camera},
 * {@code Sampler}, {@code Shape}, {@code Material} with its {@code Bsdf}, {@code Light}, {@code Aggregate},
 * {@code Integrator}) with their implementations beside them, and one public entry point,
 * {@link dev.tilefarm.worker.render.path.PathTracer}. New shapes (triangle meshes), materials (glass, metal),
 * lights and an acceleration structure (a BVH behind {@code Aggregate}) slot in as further implementations;
 * {@code SceneLoader} is the one place a scene description becomes these objects.
 */
package dev.tilefarm.worker.render.path;
