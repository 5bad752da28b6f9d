package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.store.BlobStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The lab's mixed workload: every kind of job the farm runs, each kind one fixed job spec, so that a job run
 * under faults can be compared with the same spec's fault-free reference run, byte for byte.
 */
final class LabWorkload {
  /** What a kind of job should end as. */
  enum Expect {
    /** COMPLETED, with the reference's sha256. */
    REFERENCE,
    /** CANCELLED: the lab cancels it while it runs (COMPLETED only if it ended before the cancel arrived). */
    CANCELLED,
    /** FAILED for its time limit (COMPLETED only if it made it in time). */
    TIME_LIMIT
  }

  /** One kind of job: its name, its spec (without id and output) and what it should end as. */
  record Kind(String name, String spec, Expect expect) {}

  static final String INPUT_KEY = "lab/input.png";
  static final String POV_KEY = "lab/anim.pov";

  private final List<Kind> kinds = new ArrayList<>();

  LabWorkload(String bucket, boolean povray) {
    // Tiny tiles, which the splitter packs: 256 tiles of 16x16.
    kinds.add(new Kind("packed", "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":256,\"height\":256,"
        + "\"tileSize\":16,\"scene\":{\"center\":[-0.745,0.11],\"zoom\":40,\"iterations\":800}}", Expect.REFERENCE));
    kinds.add(new Kind("builtin", "{\"type\":\"render\",\"renderer\":\"builtin\",\"width\":320,\"height\":192,"
        + "\"samples\":12,\"seed\":42,\"tileSize\":64,\"scene\":{\"camera\":{\"position\":[0,1.5,6],\"lookAt\":"
        + "[0,0.8,0],\"up\":[0,1,0],\"fov\":35},\"sky\":[0.05,0.07,0.1],\"materials\":{\"floor\":{\"type\":"
        + "\"diffuse\",\"color\":[0.8,0.8,0.75]},\"red\":{\"type\":\"diffuse\",\"color\":[0.75,0.15,0.1]},"
        + "\"lamp\":{\"type\":\"emissive\",\"color\":[1,0.9,0.7],\"strength\":12}},\"objects\":[{\"type\":"
        + "\"plane\",\"point\":[0,0,0],\"normal\":[0,1,0],\"material\":\"floor\"},{\"type\":\"sphere\",\"center\":"
        + "[0,1,0],\"radius\":1,\"material\":\"red\"},{\"type\":\"sphere\",\"center\":[2,4,2],\"radius\":0.5,"
        + "\"material\":\"lamp\"}],\"maxDepth\":4}}", Expect.REFERENCE));
    kinds.add(new Kind("mandelbrot", "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":384,"
        + "\"height\":384,\"tileSize\":64,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":300,\"iterations\":3000}}",
        Expect.REFERENCE));
    kinds.add(new Kind("clahe-canny", "{\"type\":\"process\",\"input\":\"s3://" + bucket + "/" + INPUT_KEY + "\","
        + "\"tileSize\":96,\"ops\":[{\"op\":\"clahe\",\"clip\":3,\"grid\":4},{\"op\":\"canny\",\"low\":40,"
        + "\"high\":120}]}", Expect.REFERENCE));
    if (povray) {
      kinds.add(new Kind("animation", "{\"type\":\"render\",\"renderer\":\"povray\",\"width\":96,\"height\":72,"
          + "\"tileSize\":48,\"frames\":{\"start\":1,\"end\":3},\"scene\":{\"file\":\"s3://" + bucket + "/"
          + POV_KEY + "\"}}", Expect.REFERENCE));
    }
    kinds.add(new Kind("cancelled", "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":512,"
        + "\"height\":512,\"tileSize\":32,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":900,"
        + "\"iterations\":30000}}", Expect.CANCELLED));
    kinds.add(new Kind("time-limit", "{\"type\":\"render\",\"renderer\":\"mandelbrot\",\"width\":512,"
        + "\"height\":512,\"tileSize\":32,\"timeLimit\":3,\"scene\":{\"center\":[-0.7435,0.1314],\"zoom\":900,"
        + "\"iterations\":30000}}", Expect.TIME_LIMIT));
  }

  List<Kind> kinds() {
    return kinds;
  }

  /** Whether POV-Ray is installed here, so the animation kind can run. */
  static boolean povrayInstalled() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "povray"))) {
        return true;
      }
    }
    return false;
  }

  /** The job of {@code kind} with {@code id}, its output in the farm's bucket under the id. */
  static ObjectNode job(Kind kind, String id, String bucket) throws IOException {
    ObjectNode job = (ObjectNode) Json.MAPPER.readTree(kind.spec());
    job.put("id", id);
    job.put("output", "s3://" + bucket + "/lab-out/" + id + (job.has("frames") ? "/frame-###.png" : ".png"));
    return job;
  }

  /** Stores the inputs the jobs read: an image for the process jobs and a POV-Ray scene for the animation. */
  static void upload(BlobStore blobs) throws IOException {
    blobs.put(blobs.uri(INPUT_KEY), inputImage(), "image/png");
    blobs.put(blobs.uri(POV_KEY), POV_SCENE.getBytes(StandardCharsets.UTF_8), "text/plain");
  }

  /** A 480x320 test image, drawn from a fixed seed: gradients, shapes and noise for CLAHE and Canny to work on. */
  static byte[] inputImage() throws IOException {
    BufferedImage img = new BufferedImage(480, 320, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    Random r = new Random(15);
    for (int y = 0; y < 320; y++) {
      for (int x = 0; x < 480; x++) {
        int v = (x * 255 / 480 + y * 80 / 320) & 0xff;
        img.setRGB(x, y, new Color(v / 2, v / 3 + 20, 90).getRGB());
      }
    }
    for (int i = 0; i < 24; i++) {
      g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
      int x = r.nextInt(440);
      int y = r.nextInt(280);
      if (i % 2 == 0) {
        g.fillOval(x, y, 20 + r.nextInt(60), 20 + r.nextInt(60));
      } else {
        g.fillRect(x, y, 20 + r.nextInt(60), 10 + r.nextInt(40));
      }
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static final String POV_SCENE = """
      #version 3.7;
      global_settings { assumed_gamma 1.0 }
      camera { location <0, 1.5, -4> look_at <0, 0.5, 0> }
      light_source { <3, 5, -4> color rgb 1 }
      plane { y, 0 pigment { checker rgb 0.9, rgb 0.2 } }
      sphere { <sin(clock * 2 * pi), 0.6, cos(clock * 2 * pi)>, 0.6 pigment { rgb <0.8, 0.2, 0.1> } }
      """;
}
