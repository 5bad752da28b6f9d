/**
 * Blender (Cycles, CPU) as a tile renderer: {@link dev.tilefarm.worker.render.blender.Blender} and its driver
 * script {@code tile.py} (a resource beside it).
 */
package dev.tilefarm.worker.render.blender;
