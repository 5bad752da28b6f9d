/**
 * Renderers that run an installed program once per tile: the {@link
 * dev.tilefarm.worker.render.external.ExternalRenderer} family (POV-Ray and Blender in their own packages),
 * the {@link dev.tilefarm.worker.render.external.Sandbox} they run in (bubblewrap: the scene's folder and
 * system libraries read-only, the tile's work folder the only writable place, no network), {@link
 * dev.tilefarm.worker.render.external.RenderProcess} (output to the tile's log, progress, stop at the time
 * limit or when abandoned), {@link dev.tilefarm.worker.render.external.Program} (the installed program: whether
 * it can run here, its run for a tile, its failures worded alike), {@link
 * dev.tilefarm.worker.render.external.RenderProgress} (a tile's rising percentage, read from the output), {@link
 * dev.tilefarm.worker.render.external.Region} (what a program renders for a tile: the tile with its overscan, on
 * the program's grid) and {@link dev.tilefarm.worker.render.external.Crop} (the tile out of the program's image,
 * overscan dropped).
 */
package dev.tilefarm.worker.render.external;
