package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobQuery;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Ops;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "process", mixinStandardHelpOptions = true,
    description = "Run image operations over an image through the farm and save the result.%n"
        + "INPUT is a local file (uploaded to the farm's bucket), an s3:// URI, or job:JOB_ID: another job's output "
        + "(this job waits for that job to complete, then runs on its image).",
    footerHeading = "%nOperations:%n")
final class ProcessCommand extends FarmCommand {
  @Mixin
  OneJob run;

  @Parameters(index = "0", paramLabel = "INPUT")
  String input;

  @Option(names = "--op", required = true, paramLabel = "NAME[:k=v,...]",
      description = "an operation, in order; repeat for a chain, e.g. --op gaussian-blur:sigma=2 --op grayscale")
  List<String> ops;

  @Mixin
  TileSizeOption tile;

  @Override
  public Integer call() throws Exception {
    RenderCommand.checkOutput(run.output);
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("type", "process");
    job.put("input", input);
    boolean chained = Inputs.jobInput(job, "INPUT");
    if (!chained) {
      checkInput(input);
    }
    job.set("ops", parseOps(ops));
    tile.applyTo(job);
    return run.run(farm, job, chained ? f -> { }
        : f -> job.put("input", Inputs.upload(f.blobs(), input, Progress.stderr(farm.quiet)).toString()));
  }

  /** The leading bytes of the image formats the workers read (OpenCV's imread). */
  private static final List<byte[]> IMAGE_SIGNATURES = List.of(
      new byte[] {(byte) 0x89, 'P', 'N', 'G'}, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
      "GIF8".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[] {'B', 'M'},
      new byte[] {'I', 'I', 42, 0}, new byte[] {'M', 'M', 0, 42}, new byte[] {'P', '1'}, new byte[] {'P', '2'},
      new byte[] {'P', '3'}, new byte[] {'P', '4'}, new byte[] {'P', '5'}, new byte[] {'P', '6'},
      "#?RADIANCE".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[] {0x76, 0x2F, 0x31, 0x01},
      new byte[] {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '}, new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51});

  /**
   * Checks, before anything is uploaded or submitted, that a local INPUT is a readable image (an s3:// URI is
   * the farm's to check).
   */
  static void checkInput(String input) throws Main.UsageException {
    if (input.startsWith("s3://")) {
      return;
    }
    Path file = Path.of(input);
    if (!java.nio.file.Files.exists(file)) {
      throw new Main.UsageException(input + ": no such file");
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new Main.UsageException(input + ": not a file");
    }
    byte[] head = new byte[16];
    int n;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (java.io.IOException e) {
      throw new Main.UsageException(input + ": cannot read: " + e.getMessage());
    }
    for (byte[] sig : IMAGE_SIGNATURES) {
      if (n >= sig.length && java.util.Arrays.equals(head, 0, sig.length, sig, 0, sig.length)) {
        return;
      }
    }
    if (n >= 12 && new String(head, 0, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("RIFF")
        && new String(head, 8, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("WEBP")) {
      return;
    }
    throw new Main.UsageException(input + ": not an image (PNG, JPEG, WebP, TIFF, BMP, GIF, PNM, HDR, EXR or"
        + " JPEG 2000)");
  }

  /**
   * {@code NAME[:k=v,...]} to {@code {"op": NAME, k: v, ...}}; numbers and booleans become JSON numbers and
   * booleans.
   */
  static ArrayNode parseOps(List<String> specs) throws Main.UsageException {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (String spec : specs) {
      try {
        out.add(JobQuery.op(spec));
      } catch (InvalidJobException e) {
        throw new Main.UsageException("--op " + spec + ": expected NAME:key=value,...");
      }
    }
    return out;
  }

  /** Lists the operations in the help footer. */
  static String opsHelp() {
    return Ops.describe();
  }
}
