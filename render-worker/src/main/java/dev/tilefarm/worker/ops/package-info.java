/**
 * Process jobs: {@link dev.tilefarm.worker.ops.TileProcessor} fetches and decodes a job's input once per
 * worker (bounded LRU cache of decoded pixels), then runs the job's op chain with OpenCV on each tile's box of
 * every intermediate image (traced back through the chain by {@link dev.tilefarm.schemas.ChainPlan}), so that
 * assembled tiles equal the same OpenCV calls on the whole image byte for byte. Whole-image ops run in passes:
 * a statistics pass yields each tile's partial statistics, and a later pass applies the merged ones. Analysis
 * ops add each tile's partial report.
 */
package dev.tilefarm.worker.ops;
