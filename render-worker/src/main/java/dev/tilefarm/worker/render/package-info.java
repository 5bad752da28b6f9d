/**
 * Render jobs: {@link dev.tilefarm.worker.render.TileRenderer} picks the renderer for a job's scene kind
 * (the Mandelbrot set here, the path tracer in {@code render.path}) and keeps the last few jobs' prepared
 * scenes. Every renderer computes a pixel from the job and the pixel's absolute coordinates alone.
 */
package dev.tilefarm.worker.render;
