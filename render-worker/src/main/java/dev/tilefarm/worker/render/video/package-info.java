/**
 * The video of an animation: its frames encoded with ffmpeg ({@link dev.tilefarm.worker.render.video.VideoEncoder}),
 * on the workers that have it (the ffmpeg lane).
 */
package dev.tilefarm.worker.render.video;
