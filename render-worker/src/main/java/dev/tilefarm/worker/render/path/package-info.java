/**
 * The builtin path tracer, shaped like pbrt-v4 and Sunflow in miniature: small interfaces ({@code Camera},
 * {@code Sampler}, {@code Shape}, {@code Material} with its {@code Bsdf}, {@code Texture}, {@code Light},
 * {@code Aggregate}, {@code Integrator}) with their implementations beside them. Public entry points:
 * {@link dev.tilefarm.worker.render.path.PathTracer} (prepare a scene, render tiles), the
 * {@link dev.tilefarm.worker.render.path.SceneAssets} seam through which scene files arrive (with
 * {@link dev.tilefarm.worker.render.path.AssetPaths} keeping references inside their root and
 * {@link dev.tilefarm.worker.render.path.SceneAssetException} naming the file at fault), and
 * {@link dev.tilefarm.worker.render.path.TraceProbe} for benchmarks.
 *
 * <p>{@code SceneLoader} is the one place a scene description becomes these objects; {@code GltfLoader} and
 * {@code ObjLoader} read glTF 2.0 and OBJ/MTL through de.javagl's libraries, {@code HdrImage} reads Radiance
 * maps. Geometry sits in a two-level BVH ({@code Accel} over spheres and mesh instances, {@code TriangleMesh}
 * per shared mesh), traced without allocation through per-thread {@code Scratch} memory.
 */
package dev.tilefarm.worker.render.path;
