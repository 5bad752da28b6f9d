package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Ops;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "process", mixinStandardHelpOptions = true,
    description = "Run image operations over an image through the farm and save the result.%n"
        + "INPUT is a local file (uploaded to the farm's bucket) or an s3:// URI.",
    footerHeading = "%nOperations:%n")
final class ProcessCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Parameters(index = "0", paramLabel = "INPUT")
  String input;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "image to write (.png, .jpg)")
  Path output;

  @Option(names = "--op", required = true, paramLabel = "NAME[:k=v,...]",
      description = "an operation, in order; repeat for a chain, e.g. --op gaussian-blur:sigma=2 --op grayscale")
  List<String> ops;

  @Option(names = "--tile", paramLabel = "N", description = "tile side in pixels")
  Integer tile;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
      description = "worker instances of an embedded farm (default ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", description = "give up after this long (0 = never)")
  long timeout;

  @Override
  public Integer call() throws Exception {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("type", "process");
    job.set("ops", parseOps(ops));
    if (tile != null) {
      job.put("tileSize", tile);
    }
    return RenderCommand.runOne(farm, job,
        f -> job.put("input", Inputs.upload(f.blobs(), input, Progress.stderr(farm.quiet)).toString()),
        output, workers, timeout);
  }

  /** {@code NAME[:k=v,...]} to {@code {"op": NAME, k: v, ...}}; numbers and booleans become JSON numbers and booleans. */
  static ArrayNode parseOps(List<String> specs) throws Main.UsageException {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (String spec : specs) {
      int colon = spec.indexOf(':');
      ObjectNode op = out.addObject();
      op.put("op", colon < 0 ? spec : spec.substring(0, colon));
      if (colon >= 0 && colon < spec.length() - 1) {
        for (String kv : spec.substring(colon + 1).split(",")) {
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new Main.UsageException("--op " + spec + ": expected NAME:key=value,...");
          }
          String k = kv.substring(0, eq).trim();
          String v = kv.substring(eq + 1).trim();
          if (v.equals("true") || v.equals("false")) {
            op.put(k, Boolean.parseBoolean(v));
          } else {
            try {
              op.put(k, new java.math.BigDecimal(v));
            } catch (NumberFormatException e) {
              op.put(k, v);
            }
          }
        }
      }
    }
    return out;
  }

  /** Lists the operations in the help footer. */
  static String opsHelp() {
    return Ops.describe();
  }
}
