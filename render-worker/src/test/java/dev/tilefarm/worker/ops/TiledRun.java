package dev.tilefarm.worker.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.ChainPlan;
import dev.tilefarm.schemas.ImageOp;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.StatsMerge;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a process job the way the farm does, without Kafka or S3: every pass's tiles one by one through
 * {@link TileProcessor}, each statistics pass's partials merged with {@link StatsMerge} (as the compositor
 * does) and handed to the next pass, the last pass's tiles assembled into one image and their analysis
 * partials collected.
 */
final class TiledRun {
  private static final AtomicInteger RUNS = new AtomicInteger();

  record Result(TileImage image, List<JsonNode> reports, int passes) {}

  private TiledRun() {}

  static Result run(byte[] input, List<ImageOp> ops, int tileSize) throws Exception {
    return run(input, ops, tileSize, false);
  }

  /**
   * @param workerPerPass each pass on a worker of its own, which kept nothing of the passes before (as when
   *     other workers made them); otherwise one worker makes every pass
   */
  static Result run(byte[] input, List<ImageOp> ops, int tileSize, boolean workerPerPass) throws Exception {
    Map<String, byte[]> objects = new ConcurrentHashMap<>();
    objects.put("inputs/input", input);
    java.util.function.Supplier<TileProcessor> worker = () -> new TileProcessor(
        uri -> objects.get(uri.bucket() + "/" + uri.key()), 64L << 20, TileLimits.DEFAULT_MAX_PIXELS);
    TileProcessor processor = worker.get();
    String id = "run-" + RUNS.incrementAndGet();
    JobRequest.Process job = new JobRequest.Process(id, S3Uri.parse("s3://inputs/input"), ops, tileSize, null);
    DecodedImage decoded = InputDecoder.decode(job.input(), input);
    ChainPlan plan = new ChainPlan(ops, decoded.width(), decoded.height(), tileSize);
    ObjectNode merged = Json.MAPPER.createObjectNode();
    merged.put("tileSize", tileSize);
    ArrayNode passes = merged.putArray("passes");
    S3Uri stats = null;
    for (int pass = 0; pass < plan.passes() - 1; pass++) {
      int end = plan.endOf(pass);
      List<TileRect> tiles = plan.tiles(pass);
      if (workerPerPass) {
        processor = worker.get();
      }
      List<JsonNode> partials = new ArrayList<>();
      for (TileRect t : tiles) {
        TileProcessor.Made made = processor.process(job, t, plan.width(end), plan.height(end), pass, stats);
        partials.add(Json.MAPPER.readTree(made.stats()));
      }
      passes.add(StatsMerge.merge((ImageOp.WholeImage) ops.get(end), tiles, partials));
      stats = S3Uri.parse("s3://stats/" + id + "/pass-" + pass + ".json");
      objects.put("stats/" + id + "/pass-" + pass + ".json", Json.MAPPER.writeValueAsBytes(merged));
    }
    int last = plan.passes() - 1;
    if (workerPerPass) {
      processor = worker.get();
    }
    int w = plan.outputWidth();
    int h = plan.outputHeight();
    byte[] assembled = null;
    int channels = 0;
    List<JsonNode> reports = new ArrayList<>();
    for (TileRect t : plan.tiles(last)) {
      TileProcessor.Made made = processor.process(job, t, w, h, last, stats);
      TileImage tile = made.image();
      if (assembled == null) {
        channels = tile.channels();
        assembled = new byte[w * h * channels];
      }
      for (int row = 0; row < t.height(); row++) {
        System.arraycopy(tile.pixels(), row * tile.stride(), assembled, ((t.y() + row) * w + t.x()) * channels,
            tile.stride());
      }
      if (made.report() != null) {
        reports.add(Json.MAPPER.readTree(made.report()));
      }
    }
    return new Result(new TileImage(w, h, channels, assembled), reports, plan.passes());
  }
}
