/** POV-Ray 3.7 as a tile renderer: {@link dev.tilefarm.worker.render.povray.PovRay}. */
package dev.tilefarm.worker.render.povray;
