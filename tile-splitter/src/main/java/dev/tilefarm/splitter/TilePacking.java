package dev.tilefarm.splitter;

import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.TileRect;

/**
 * How many tiny tiles of a job travel in one task. Each task costs the farm a fixed amount however small its
 * tile (a task record and its acknowledgement, an object put, a result record, an object get when assembling),
 * so a job of tiny tiles is made in packs: the worker makes each tile exactly as it would alone and stores the
 * pack as one object. Only built-in renderers' single images are packed (a process job's tiles read their
 * input, an external renderer's tile is a process of its own), only tiles of at most {@link #MAX_TILE_PIXELS},
 * and never so far that the job has fewer than {@link #MIN_TASKS} tasks to share among workers.
 */
final class TilePacking {
  /** Tiles larger than this (32 x 32) are worth a task each. */
  static final int MAX_TILE_PIXELS = 32 * 32;
  /** A pack holds at most this many pixels (128 x 128)... */
  static final int PACK_PIXELS = 128 * 128;
  /** ...and at most this many tiles. */
  static final int MAX_PACK = 64;
  /** Packing stops short of leaving fewer tasks than this, so that every worker thread still gets work. */
  static final int MIN_TASKS = 64;

  private TilePacking() {}

  /** The job's pack size; 1 when its tiles travel one per task. */
  static int packTiles(JobRequest job, Layout plan) {
    if (!(job instanceof JobRequest.Render) || Renderer.lane(job).isPresent()
        || plan.frames() != null || plan.chain() != null || plan.tiles().isEmpty()) {
      return 1;
    }
    TileRect first = plan.tiles().get(0);
    int pixels = first.width() * first.height();
    if (pixels > MAX_TILE_PIXELS) {
      return 1;
    }
    return Math.max(1, Math.min(MAX_PACK, Math.min(PACK_PIXELS / pixels, plan.tiles().size() / MIN_TASKS)));
  }
}
