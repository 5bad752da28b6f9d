package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Render -> process chains through the CLI, as a person types them: {@code submit --batch} of a process job whose
 * input is {@code job:ID} and the render it takes, and {@code process job:ID}, on the embedded farm (real broker,
 * real S3 server). The process outputs are checked against OpenCV run here on the render's output, read back from
 * S3.
 */
class CliChainsIT {
  @TempDir
  static Path dir;
  static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    nu.pattern.OpenCV.loadLocally();
    farm = TestFarm.start(dir.resolve("farm"), 2);
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static String mandelbrot(String id) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":96,\"height\":80,"
        + "\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":2000,\"iterations\":500}}";
  }

  private static Cli cli(String... args) throws Exception {
    return Cli.onFarm(farm, dir, Map.of(), s -> { }, args);
  }

  /** The job's one COMPLETED event, from the job events topic. */
  private static JobEvent.Completed completed(String id) {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      List<JobEvent> history = client.history(id);
      return assertInstanceOf(JobEvent.Completed.class, history.get(history.size() - 1), history.toString());
    }
  }

  private static Mat decode(byte[] image) {
    return Imgcodecs.imdecode(new MatOfByte(image), Imgcodecs.IMREAD_UNCHANGED);
  }

  private static byte[] pixels(Mat m) {
    byte[] out = new byte[(int) (m.total() * m.channels())];
    m.get(0, 0, out);
    return out;
  }

  @Test
  void aBatchOfAProcessJobTakingARendersOutputRunsBoth() throws Exception {
    // The process job first in the file: it names a job the farm has not seen yet.
    Path batch = Files.writeString(dir.resolve("deps.jsonl"),
        "{\"id\":\"cli-grey\",\"type\":\"process\",\"input\":\"job:cli-render\",\"ops\":[{\"op\":\"grayscale\"}]}\n"
            + mandelbrot("cli-render") + "\n");
    Cli run = cli("submit", "--batch", batch.toString(), "--wait");
    assertEquals(0, run.code(), run.stdout() + run.stderr());
    assertTrue(run.stdout().contains("2 of 2 jobs completed"), run.stdout());

    JobEvent.Completed render = completed("cli-render");
    JobEvent.Completed grey = completed("cli-grey");
    Mat expected = new Mat();
    Imgproc.cvtColor(decode(farm.farm.blobs().get(render.output())), expected, Imgproc.COLOR_BGR2GRAY);
    Mat got = decode(farm.farm.blobs().get(grey.output()));
    assertEquals(1, got.channels());
    assertEquals(96, got.cols());
    assertEquals(80, got.rows());
    assertArrayEquals(pixels(expected), pixels(got), "the process job's output is OpenCV's grey of the render's");
  }

  @Test
  void processTakesAnotherJobsOutputAndSavesItsOwn() throws Exception {
    try (JobClient client = new JobClient(farm.farm.settings())) {
      client.submit(TestFarm.json(mandelbrot("cli-render-2")));
    }
    Path out = dir.resolve("pr.png");
    Cli run = cli("process", "job:cli-render-2", "-o", out.toString(), "--op", "invert");
    assertEquals(0, run.code(), run.stdout() + run.stderr());

    Mat expected = new Mat();
    Core.bitwise_not(decode(farm.farm.blobs().get(completed("cli-render-2").output())), expected);
    Mat got = Imgcodecs.imread(out.toString(), Imgcodecs.IMREAD_UNCHANGED);
    assertEquals(expected.channels(), got.channels());
    assertArrayEquals(pixels(expected), pixels(got), "the saved output is OpenCV's inverse of the render's");
  }

  @Test
  void aBadJobInputIsAUsageErrorNamingTheField() throws Exception {
    Path batch = Files.writeString(dir.resolve("bad.jsonl"),
        "{\"id\":\"bad-chain\",\"type\":\"process\",\"input\":\"job:no such id\",\"ops\":[{\"op\":\"grayscale\"}]}\n");
    Cli run = cli("submit", "--batch", batch.toString(), "--wait");
    assertEquals(2, run.code(), run.stdout() + run.stderr());
    assertTrue(run.stderr().contains(batch + " job 1: input: 'job:no such id' must name a job"), run.stderr());
  }
}
