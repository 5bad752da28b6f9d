/**
 * Process jobs: {@link dev.tilefarm.worker.ops.TileProcessor} fetches and decodes a job's input once per
 * worker (bounded LRU cache of decoded pixels), then runs the job's op chain with OpenCV on each tile's
 * region plus halo, so that assembled tiles equal the same OpenCV calls on the whole image byte for byte.
 */
package dev.tilefarm.worker.ops;
