package dev.tilefarm.bench.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Image processing: blur, grayscale and Canny on the farm against the same OpenCV calls in one process. */
final class ProcessingSection implements SharedFarmSection {
  private static final double CANNY_LOW = 50;
  private static final double CANNY_HIGH = 150;
  private static final double SIGMA = 2;
  /** Issue 18's aim: the farm's wall time over OpenCV's in one process, at the median. */
  static final Aim OF_OPENCV = Aim.atMost(2.0, "≤ 2.0x");

  @Override
  public Result run(Bench bench, BenchFarm farm) throws Exception {
    int threads = bench.threads();
    nu.pattern.OpenCV.loadLocally();
    int side = bench.quick() ? 1024 : 8192;
    Mat photo = new Mat(side, side, CvType.CV_8UC3);
    Core.randu(photo, 0, 256);
    Imgproc.GaussianBlur(photo, photo, new Size(9, 9), 3);
    for (int i = 0; i < 40; i++) {
      Imgproc.circle(photo, new Point((i * 7919) % side, (i * 104729) % side), side / 20 + i * 3,
          new Scalar(i * 37 % 256, i * 91 % 256, i * 53 % 256), -1);
    }
    MatOfByte png = new MatOfByte();
    Imgcodecs.imencode(".png", photo, png);
    byte[] bytes = png.toArray();
    photo.release();
    S3Uri input = farm.blobs().uri("bench/photo-" + side + ".png");
    farm.blobs().put(input, bytes, "image/png");
    BenchStats pipeline = new BenchStats();
    BenchStats reference = new BenchStats();
    BenchStats ratio = new BenchStats();
    JobEvent.Completed last = null;
    JvmCpu.Span lastCpu = null;
    double lastWall = 0;
    double lastDirect = 0;
    for (int i = 0; i < bench.runs(); i++) {
      MatOfByte encoded;
      long d0 = System.nanoTime();
      Mat m = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_UNCHANGED);
      Mat blurred = new Mat();
      Imgproc.GaussianBlur(m, blurred, new Size(13, 13), SIGMA, SIGMA);
      Mat gray = new Mat();
      Imgproc.cvtColor(blurred, gray, Imgproc.COLOR_BGR2GRAY);
      Mat edges = new Mat();
      Imgproc.Canny(gray, edges, CANNY_LOW, CANNY_HIGH);
      encoded = new MatOfByte();
      Imgcodecs.imencode(".png", edges, encoded);
      double d = (System.nanoTime() - d0) / 1e6;
      m.release();
      blurred.release();
      gray.release();
      edges.release();
      ObjectNode job = Jobs.blurAndGrey("processing", input, SIGMA);
      ((com.fasterxml.jackson.databind.node.ArrayNode) job.get("ops")).addObject().put("op", "canny")
          .put("low", CANNY_LOW).put("high", CANNY_HIGH);
      JvmCpu cpu0 = JvmCpu.read();
      long t0 = System.nanoTime();
      JobEvent.Completed done = farm.complete(job);
      double p = (System.nanoTime() - t0) / 1e6;
      lastCpu = JvmCpu.read().since(cpu0);
      lastWall = p;
      lastDirect = d;
      last = done;
      if (i == 0) {
        sameAsDirect(farm.blobs().get(done.output()), encoded);
      }
      encoded.release();
      pipeline.add(p);
      reference.add(d);
      ratio.add(p / d);
    }
    Row row = new Row("Image processing, " + side + "x" + side + " photo-like PNG, blur + grayscale + Canny edges",
        pipeline.summary("%.0f ms"), "OpenCV in one process (decode, blur, grayscale, Canny, encode): "
            + reference.summary("%.0f ms"), ratio.summary("%.2fx"), OF_OPENCV.text(),
        OF_OPENCV.reachedBy(ratio.median()));
    String note = "**Image processing**: the chain is gaussian-blur(σ=2), grayscale, canny(" + (int) CANNY_LOW + ", "
        + (int) CANNY_HIGH + ") on both sides, and the farm's output is byte-equal to the direct one. Canny's "
        + "hysteresis follows edges across the whole image, so on the farm it runs in two passes: edge candidates "
        + "labelled per tile and joined across tile borders by the compositor, then drawn. Each pass's workers "
        + "read and decode the input once per worker (cached for the job's other tiles), and a worker draws the "
        + "drawing pass's tiles from the Canny labels it kept from the first pass; the compositor writes the PNG "
        + "with its streaming encoder, filtering rows on all cores. Of the last farm run's " + last.timings().total()
        + " ms, the final assembly (reading the tiles, PNG encoding, storing) took " + last.timings().assemble()
        + " ms and the workers' time summed over the last pass's tiles " + last.timings().render() + " ms (" + threads
        + " threads).";
    List<String> notes = new java.util.ArrayList<>(List.of(note));
    if (!row.reached()) {
      notes.add(Bottleneck.note("Image processing", bottleneck(lastWall, lastDirect, threads, last.timings(), lastCpu,
          threads)));
    }
    // Beside it, in the same run: each farm process's peak memory on the same input against libvips'.
    Result memory = ProcessingMemory.measure(bench, bytes, side, SIGMA);
    List<Row> rows = new java.util.ArrayList<>(List.of(row));
    rows.addAll(memory.rows());
    notes.addAll(memory.notes());
    return new Result(rows, notes);
  }

  /**
   * The largest part of the last farm run against OpenCV's whole time: the final assembly (the compositor reading the
   * tiles, encoding and storing the PNG), the last pass's tiles on the workers, or the rest (the first pass, the
   * compositor joining its edge labels, the hand-offs and commits between passes); with the CPU measured over it.
   */
  static String bottleneck(double wallMs, double directMs, int threads, JobEvent.Timings timings, JvmCpu.Span job,
      int cores) {
    Map<String, Double> parts = new LinkedHashMap<>();
    parts.put(ASSEMBLY, (double) timings.assemble());
    parts.put(LAST_PASS, timings.render() / (double) threads);
    parts.put(REST, wallMs - timings.assemble() - timings.render() / (double) threads);
    String measured = String.format(Locale.ROOT, "of the last farm run's %.0f ms (OpenCV: %.0f ms for all): %s; during "
        + "it %s", wallMs, directMs, Bottleneck.millis(parts), Bottleneck.machine(cores, job.machineBusy(),
            job.busy(cores), "role", job.byRole()));
    String largest = Bottleneck.largest(parts);
    if (Bottleneck.othersTookIt(job.machineBusy(), job.busy(cores))) {
      return Bottleneck.othersBeside(largest.replaceFirst(" \\(.*", ""), measured);
    }
    return switch (largest) {
      case ASSEMBLY -> "the compositor's final assembly (one process reading every tile and encoding the PNG): "
          + measured;
      case LAST_PASS -> "the workers' drawing pass: " + measured;
      default -> "the work before the last pass (the edge-candidate pass, the compositor joining its labels across "
          + "tiles, the hand-offs and commits between passes): " + measured;
    };
  }

  private static final String ASSEMBLY = "final assembly";
  private static final String LAST_PASS = "last pass's tiles (worker time per thread)";
  private static final String REST = "first pass, label join and hand-offs";

  /**
   * Fails the benchmark unless the farm's image has the same pixels as the direct one: a fast wrong answer is no
   * answer.
   */
  private static void sameAsDirect(byte[] farmPng, MatOfByte directPng) {
    Mat a = Imgcodecs.imdecode(new MatOfByte(farmPng), Imgcodecs.IMREAD_UNCHANGED);
    Mat b = Imgcodecs.imdecode(directPng, Imgcodecs.IMREAD_UNCHANGED);
    try {
      if (a.rows() != b.rows() || a.cols() != b.cols() || a.type() != b.type()) {
        throw new IllegalStateException("the farm's processed image is " + a.cols() + "x" + a.rows() + " type "
            + a.type() + ", the direct one " + b.cols() + "x" + b.rows() + " type " + b.type());
      }
      Mat diff = new Mat();
      Core.absdiff(a, b, diff);
      int differing = Core.countNonZero(diff.reshape(1));
      diff.release();
      if (differing != 0) {
        throw new IllegalStateException("the farm's processed image differs from OpenCV's in " + differing
            + " pixel channels");
      }
    } finally {
      a.release();
      b.release();
    }
  }
}
