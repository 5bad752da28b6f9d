package dev.tilefarm.splitter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobChangedException;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import dev.tilefarm.store.TileKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Turns a decoded job into its whole {@link Plan} (job specs to store, the compositor's PLANNED record, the
 * tile tasks, the ACCEPTED event), or rejects it with the field and the reason. Free of Kafka: the splitter's
 * edge forwards what it returns.
 */
final class JobPlanner {
  /** Jobs up to this size travel inside each tile task; larger ones are stored once in S3. */
  static final int INLINE_JOB_BYTES = 16 * 1024;

  private final JobLimits limits;
  private final ImageProbe probe;
  private final String bucket;

  /**
   * Which renderers the farm's workers have: why none of the present workers can run {@code renderer}, or
   * null if one can (or no worker has been seen at all, when a job waits for workers like any other).
   */
  @FunctionalInterface
  interface Renderers {
    Renderers ANY = renderer -> null;

    String missing(Renderer renderer);
  }

  private final Renderers renderers;
  private final VideoJobPlanner videoJobs;

  JobPlanner(JobLimits limits, ImageProbe probe, String bucket) {
    this(limits, probe, bucket, Renderers.ANY);
  }

  JobPlanner(JobLimits limits, ImageProbe probe, String bucket, Renderers renderers) {
    this.limits = limits;
    this.probe = probe;
    this.bucket = bucket;
    this.renderers = renderers;
    this.videoJobs = new VideoJobPlanner(limits, probe, bucket, renderers);
  }

  /**
   * The plan of {@code job}, accepted at {@code now}. {@code submitted} is the JSON the job was decoded from: the
   * tasks carry it (or the spec stored for them holds it) as submitted, with the job's id filled in, not a
   * normalised copy.
   */
  Plan plan(JobRequest job, ObjectNode submitted, long now) {
    if (job instanceof JobRequest.Encode video) {
      return videoJobs.plan(video, now); // no tiles: one video task
    }
    Layout layout = layout(job);
    String id = job.id();
    ObjectNode json = submitted.deepCopy().put("id", id);
    Long deadline = job.deadline(now);
    int count = layout.tileCount();
    JobRequest.Frames frames = layout.frames() != null && layout.frames().sequence() ? layout.frames() : null;
    JobControl.Planned planned = new JobControl.Planned(id, now, count, layout.width(), layout.height(),
        layout.output(), deadline, null, null, videoPlan(job, layout), frames);
    JobEvent.Accepted accepted = new JobEvent.Accepted(id, now, job.type(), count, layout.width(), layout.height(),
        layout.output());
    ChainPlan chain = layout.chain();
    if (chain != null && chain.passes() > 1) {
      return statisticsPass(job, layout, json, now, deadline, planned, accepted);
    }
    byte[] jobBytes = bytes(json);
    List<Plan.Spec> specs = new ArrayList<>();
    ObjectNode inline = null;
    S3Uri jobUri = null;
    if (jobBytes.length <= INLINE_JOB_BYTES) {
      inline = json;
    } else {
      jobUri = TileKeys.jobSpec(bucket, id);
      specs.add(new Plan.Spec(jobUri, jobBytes));
    }
    ObjectNode inlineJob = inline;
    S3Uri storedJob = jobUri;
    BiFunction<S3Uri, TileTask.Work, TileTask> task = (tileUri, work) -> new TileTask(id, count, layout.width(),
        layout.height(), layout.output(), tileUri, now, inlineJob, storedJob, deadline, work);
    int packTiles = TilePacking.packTiles(job, layout);
    List<TileTask> tasks = packTiles > 1 ? packs(layout, packTiles, task) : tiles(layout, task);
    String summary = job.type() + " " + layout.width() + "x" + layout.height() + " in " + count + " tiles"
        + (packTiles > 1 ? " (packs of " + packTiles + ")" : "") + " -> " + layout.output();
    return new Plan(job, layout, specs, planned, tasks, accepted, summary);
  }

  /** The video the compositor has made of an animation that asked for one, or null. */
  private static JobControl.VideoPlan videoPlan(JobRequest job, Layout layout) {
    if (!(job instanceof JobRequest.Render r) || r.video() == null) {
      return null;
    }
    JobRequest.Frames frames = layout.frames();
    return new JobControl.VideoPlan(r.video(), r.video().outputOf(layout.output()), frames.start(), frames.step());
  }

  private List<TileTask> packs(Layout layout, int packTiles, BiFunction<S3Uri, TileTask.Work, TileTask> task) {
    List<TileRect> tiles = layout.tiles();
    List<TileTask> tasks = new ArrayList<>();
    for (int first = 0; first < tiles.size(); first += packTiles) {
      List<TileRect> pack = tiles.subList(first, Math.min(tiles.size(), first + packTiles));
      tasks.add(task.apply(TileKeys.pack(bucket, layout.job().id(), first), new TileTask.Work.Pack(pack, packTiles)));
    }
    return tasks;
  }

  /**
   * One task per tile, frame by frame in the job's frame order ({@link JobRequest.Frames#order()}: first to last, or
   * preview order), so that the frames made first are done (and assembled) first. The list's order is the order
   * the tasks are released in; a tile's index stays its frame's place in the sequence, whatever the order.
   */
  private List<TileTask> tiles(Layout layout, BiFunction<S3Uri, TileTask.Work, TileTask> task) {
    JobRequest.Frames frames = layout.frames();
    boolean sequence = frames != null && frames.sequence();
    int perFrame = layout.tiles().size();
    List<TileTask> tasks = new ArrayList<>(layout.tileCount());
    for (int f : sequence ? frames.order() : new int[] {0}) {
      for (TileRect t : layout.tiles()) {
        TileRect tile = f == 0 ? t : new TileRect(f * perFrame + t.index(), t.x(), t.y(), t.width(), t.height());
        TileTask.Work work = frames == null ? new TileTask.Work.Tile(tile, layout.inputEtag())
            : new TileTask.Work.FrameTile(tile, frames.number(f), sequence ? perFrame : null);
        tasks.add(task.apply(TileKeys.tile(bucket, layout.job().id(), tile.index()), work));
      }
    }
    return tasks;
  }

  /**
   * A process job with whole-image ops starts with its first statistics pass (see {@link ChainPlan}); the
   * compositor merges each pass and starts the next. The job is stored (with the tile size it was planned
   * with), since the compositor plans the later passes from it.
   */
  private Plan statisticsPass(JobRequest job, Layout layout, ObjectNode json, long now, Long deadline,
      JobControl.Planned planned, JobEvent.Accepted accepted) {
    String id = job.id();
    ChainPlan chain = layout.chain();
    json.put("tileSize", chain.tileSize());
    S3Uri jobUri = TileKeys.jobSpec(bucket, id);
    int end = chain.endOf(0);
    List<TileRect> tiles = chain.tiles(0);
    List<TileTask> tasks = new ArrayList<>(tiles.size());
    for (TileRect t : tiles) {
      tasks.add(new TileTask(id, tiles.size(), chain.width(end), chain.height(end), layout.output(),
          TileKeys.stats(bucket, id, 0, t.index()), now, null, jobUri, deadline,
          new TileTask.Work.PassTile(t, 0, null, layout.inputEtag())));
    }
    String summary = "process " + layout.width() + "x" + layout.height() + " in " + chain.passes() + " passes, "
        + tiles.size() + " statistics tiles first, " + layout.tileCount() + " output tiles -> " + layout.output();
    return new Plan(job, layout, List.of(new Plan.Spec(jobUri, bytes(json))), planned, tasks, accepted, summary);
  }

  /** The job's size, tiles and output, checked against the farm's limits. */
  Layout layout(JobRequest job) {
    limits.checkStorage(bucket, job);
    record Source(int width, int height, String sizeField, JobRequest.Frames frames, String inputEtag) {}
    Source source = switch (job) {
      case JobRequest.Render r -> {
        String missing = renderers.missing(r.renderer());
        if (missing != null) {
          throw invalid(job, "renderer", missing);
        }
        String noVideo = r.video() == null ? null : renderers.missing(Renderer.FFMPEG);
        if (noVideo != null) {
          throw invalid(job, "video", noVideo);
        }
        yield new Source(r.width(), r.height(), "width", r.frames(), null);
      }
      case JobRequest.Process p -> {
        ImageProbe.Size size = probeInput(p);
        yield new Source(size.width(), size.height(), "input", null, size.etag());
      }
      case JobRequest.Encode e -> throw new IllegalArgumentException("video job " + e.id() + " has no tiles");
    };
    JobLimits.Sized sized = limits.checkSize(job, source.width(), source.height(), source.sizeField());
    JobRequest.Frames frames = source.frames();
    S3Uri output = job.output();
    if (output == null) {
      output = frames != null && frames.sequence() ? TileKeys.defaultFrameOutput(bucket, job.id())
          : TileKeys.defaultOutput(bucket, job.id());
    }
    return new Layout(job, sized.width(), sized.height(), output,
        tiles(sized.width(), sized.height(), sized.tileSize()), frames, sized.chain(), source.inputEtag());
  }

  private ImageProbe.Size probeInput(JobRequest.Process job) {
    try {
      ImageProbe.Size size = probe.probe(job.input());
      if (size.width() < 1 || size.height() < 1) {
        throw invalid(job, "input", job.input() + " has no pixels (" + size.width() + "x" + size.height() + ")");
      }
      return size;
    } catch (BlobNotFoundException e) {
      throw invalid(job, "input", job.input() + " does not exist");
    } catch (BlobChangedException e) {
      throw invalid(job, "input", job.input() + " was replaced while its header was read; submit the job again");
    } catch (ImageProbe.NotAnImageException e) {
      throw invalid(job, "input", job.input() + " " + e.getMessage());
    }
  }

  /** Row-major tiles of side {@code tile}; the last column and row are narrower where the size does not divide. */
  static List<TileRect> tiles(int width, int height, int tile) {
    List<TileRect> out = new ArrayList<>(ceilDiv(width, tile) * ceilDiv(height, tile));
    for (int y = 0; y < height; y += tile) {
      for (int x = 0; x < width; x += tile) {
        out.add(new TileRect(out.size(), x, y, Math.min(tile, width - x), Math.min(tile, height - y)));
      }
    }
    return out;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static InvalidJobException invalid(JobRequest job, String field, String reason) {
    return new InvalidJobException(job.id(), field, reason);
  }

  private static byte[] bytes(ObjectNode json) {
    try {
      return Json.MAPPER.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
