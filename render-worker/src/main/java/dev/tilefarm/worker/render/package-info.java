/**
 * Render jobs: {@link dev.tilefarm.worker.render.TileRenderer} picks the renderer for a job's scene kind
 * (the Mandelbrot set here, the path tracer in {@code render.path}), resolves where a builtin scene and its
 * files come from ({@code SceneSource}: inline, an assets folder or archive, or a stored scene, with
 * {@code SceneArchive} reading zip and tar safely) and keeps the last few jobs' prepared scenes
 * ({@code PreparedScenes}, bounded in count and memory). Every renderer computes a pixel from the job and the
 * pixel's absolute coordinates alone.
 */
package dev.tilefarm.worker.render;
