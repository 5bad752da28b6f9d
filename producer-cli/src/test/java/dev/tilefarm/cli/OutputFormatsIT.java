package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.testing.OutsideReaders;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Every output format through the embedded farm (real broker, real S3 server), each file read by a reader outside
 * the farm: 16-bit PNG (the JDK's PNG decoder), 16-bit and 8-bit TIFF (libtiff's tiffinfo and tiffcp), EXR
 * (OpenEXR's exrheader, OpenCV's OpenEXR decoder), lossless WebP (libwebp's webpinfo and dwebp). Pixels are
 * checked against references made otherwise: the 8-bit render of the same job, to which the 16-bit one scales
 * down within rounding and the EXR's floats tone-map (by the curve written out here again); for process jobs,
 * the PNG of the same chain.
 */
class OutputFormatsIT {
  static {
    nu.pattern.OpenCV.loadLocally();
  }

  private static final String SCENE = "{\"camera\":{\"position\":[0,1,5],\"lookAt\":[0,1,0]},"
      + "\"materials\":{\"white\":{\"type\":\"diffuse\",\"color\":[0.7,0.6,0.5]},"
      + "\"lamp\":{\"type\":\"emissive\",\"color\":[6,5,4]}},"
      + "\"objects\":[{\"type\":\"sphere\",\"center\":[0,1,0],\"radius\":1,\"material\":\"white\"},"
      + "{\"type\":\"sphere\",\"center\":[1.6,2.2,0.5],\"radius\":0.4,\"material\":\"lamp\"},"
      + "{\"type\":\"plane\",\"point\":[0,0,0],\"normal\":[0,1,0],\"material\":\"white\"}]}";
  private static final int W = 48;
  private static final int H = 32;

  @TempDir
  static Path dir;
  private static TestFarm farm;

  @BeforeAll
  static void start() throws Exception {
    farm = TestFarm.start(dir.resolve("farm"), 2);
  }

  @AfterAll
  static void stop() {
    if (farm != null) {
      farm.close();
    }
  }

  private static String builtin(String id, String more) {
    return "{\"id\":\"" + id + "\",\"type\":\"render\",\"renderer\":\"builtin\",\"width\":" + W + ",\"height\":" + H
        + ",\"tileSize\":16,\"samples\":4,\"seed\":3,\"scene\":" + SCENE + more + "}";
  }

  @Test
  void theBuiltinRendererWrites16BitPngAndTiffAndHalfFloatExr() throws Exception {
    Map<String, JobEvent> done = farm.run(
        TestFarm.json(builtin("fmt-b8", ",\"output\":\"s3://tilefarm/it/fmt/b8.png\"")),
        TestFarm.json(builtin("fmt-b16", ",\"bitDepth\":16,\"output\":\"s3://tilefarm/it/fmt/b16.png\"")),
        TestFarm.json(builtin("fmt-t16", ",\"bitDepth\":16,\"output\":\"s3://tilefarm/it/fmt/b16.tif\"")),
        TestFarm.json(builtin("fmt-exr", ",\"output\":\"s3://tilefarm/it/fmt/b.exr\"")));
    assertEquals("PNG", completed(done, "fmt-b16").format());
    assertEquals("TIFF", completed(done, "fmt-t16").format());
    assertEquals("EXR", completed(done, "fmt-exr").format());
    int[] eight = pngSamples(completed(done, "fmt-b8"), 8);
    int[] sixteen = pngSamples(completed(done, "fmt-b16"), 16);
    assertScalesDown(eight, sixteen);

    Path tif = file(completed(done, "fmt-t16"));
    String info = OutsideReaders.run("libtiff-tools", "tiffinfo", tif.toString());
    assertTrue(info.contains("Bits/Sample: 16") && info.contains("Image Width: " + W + " Image Length: " + H), info);
    assertArrayEquals16(sixteen, OutsideReaders.tiffSamples(tif));

    Path exr = file(completed(done, "fmt-exr"));
    String header = OutsideReaders.run("openexr", "exrheader", exr.toString());
    assertTrue(header.contains("compression (type compression): zip, multi-scanline blocks"), header);
    assertTrue(header.contains("R, 16-bit floating-point, sampling 1 1"), header);
    float[] rgb = exrRgb(exr, W, H);
    float max = 0;
    for (int i = 0; i < rgb.length; i++) {
      max = Math.max(max, rgb[i]);
      // The 8-bit image is the tracer's ACES + sRGB of the same radiance; the half is within 2^-11 of it.
      double tone = srgb(aces(rgb[i])) * 255;
      assertTrue(Math.abs(tone - eight[i]) <= 1.0, "sample " + i + ": EXR " + rgb[i] + " tone-maps to " + tone
          + " but the 8-bit render has " + eight[i]);
    }
    assertTrue(max > 1, "the lamp's radiance is above 1 in the EXR, which no 8-bit image holds; max " + max);
  }

  @Test
  void processJobsWriteTiffAndLosslessWebpWithThePixelsOfTheirPng() throws Exception {
    S3Uri input = S3Uri.parse("s3://tilefarm/it/fmt/input.png");
    byte[] png;
    try (var in = getClass().getResourceAsStream("/examples/images/still-life.png")) {
      png = in.readAllBytes();
    }
    farm.farm.blobs().put(input, png, "image/png");
    String chain = ",\"type\":\"process\",\"input\":\"" + input + "\",\"tileSize\":64,"
        + "\"ops\":[{\"op\":\"resize\",\"width\":150,\"height\":101},{\"op\":\"gaussian-blur\",\"sigma\":1.5}]";
    Map<String, JobEvent> done = farm.run(
        TestFarm.json("{\"id\":\"fmt-p-png\",\"output\":\"s3://tilefarm/it/fmt/p.png\"" + chain + "}"),
        TestFarm.json("{\"id\":\"fmt-p-tif\",\"output\":\"s3://tilefarm/it/fmt/p.tiff\"" + chain + "}"),
        TestFarm.json("{\"id\":\"fmt-p-webp\",\"output\":\"s3://tilefarm/it/fmt/p.webp\"" + chain + "}"),
        TestFarm.json("{\"id\":\"fmt-p-exr\",\"output\":\"s3://tilefarm/it/fmt/p.exr\"" + chain + "}"));
    JobEvent.Rejected exr = assertInstanceOf(JobEvent.Rejected.class, done.get("fmt-p-exr"));
    assertEquals("output", exr.field());
    assertTrue(exr.reason().contains("a process job's pixels are 8-bit"), exr.reason());

    JobEvent.Completed reference = completed(done, "fmt-p-png");
    Raster ref = ImageIO.read(new ByteArrayInputStream(farm.farm.blobs().get(reference.output()))).getRaster();
    int w = ref.getWidth();
    int h = ref.getHeight();
    int channels = ref.getNumBands();
    int[] want = ref.getPixels(0, 0, w, h, (int[]) null);

    Path tif = file(completed(done, "fmt-p-tif"));
    String info = OutsideReaders.run("libtiff-tools", "tiffinfo", tif.toString());
    assertTrue(info.contains("Bits/Sample: 8"), info);
    assertArrayEquals16(want, OutsideReaders.tiffSamples(tif));

    Path webp = file(completed(done, "fmt-p-webp"));
    assertEquals("WEBP", completed(done, "fmt-p-webp").format());
    assertTrue(OutsideReaders.run("webp", "webpinfo", webp.toString()).contains("Format: Lossless"));
    byte[] rgba = OutsideReaders.dwebpRgba(webp, w, h);
    for (int p = 0; p < w * h; p++) {
      for (int c = 0; c < Math.min(channels, 3); c++) {
        assertEquals(want[p * channels + (channels == 1 ? 0 : c)], rgba[p * 4 + c] & 0xff, "pixel " + p + " " + c);
      }
    }
  }

  @Test
  void povRayWrites16BitPngAndTiffThatScaleDownToIts8BitRender() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/povray")),
        "skipped: POV-Ray is not installed (Debian package povray)");
    S3Uri scene = S3Uri.parse("s3://tilefarm/it/fmt/scene.pov");
    farm.farm.blobs().put(scene, ("#version 3.7;\nglobal_settings { assumed_gamma 1.0 }\n"
        + "camera { location <0, 1, -4> look_at <0, 0.5, 0> }\n"
        + "light_source { <4, 4, -4> rgb 1 }\nsphere { <0, 0.6, 0>, 1 pigment { gradient y color_map {"
        + "[0 rgb <0.05, 0.2, 0.9>] [1 rgb <0.9, 0.7, 0.1>] } scale 2 } }\n"
        + "plane { y, -0.4 pigment { rgb 0.6 } }\n").getBytes(StandardCharsets.UTF_8), "text/plain");
    String job = ",\"type\":\"render\",\"renderer\":\"povray\",\"width\":64,\"height\":48,\"tileSize\":32,"
        + "\"scene\":\"" + scene + "\"";
    Map<String, JobEvent> done = farm.run(
        TestFarm.json("{\"id\":\"fmt-pov8\",\"output\":\"s3://tilefarm/it/fmt/pov8.png\"" + job + "}"),
        TestFarm.json("{\"id\":\"fmt-pov16\",\"bitDepth\":16,\"output\":\"s3://tilefarm/it/fmt/pov16.png\""
            + job + "}"),
        TestFarm.json("{\"id\":\"fmt-povt\",\"bitDepth\":16,\"output\":\"s3://tilefarm/it/fmt/pov16.tif\"" + job + "}"),
        TestFarm.json("{\"id\":\"fmt-povx\",\"output\":\"s3://tilefarm/it/fmt/pov.exr\"" + job + "}"));
    JobEvent.Rejected exr = assertInstanceOf(JobEvent.Rejected.class, done.get("fmt-povx"));
    assertEquals("output", exr.field());
    int[] sixteen = pngSamples(completed(done, "fmt-pov16"), 16);
    assertScalesDown(pngSamples(completed(done, "fmt-pov8"), 8), sixteen);
    assertTrue(distinctLowBytes(sixteen) > 16, "the 16-bit render has values between the 8-bit steps");
    assertArrayEquals16(sixteen, OutsideReaders.tiffSamples(file(completed(done, "fmt-povt"))));
  }

  @Test
  void blenderWrites16BitPngAndHalfFloatExr() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/blender")),
        "skipped: Blender is not installed (Debian package blender)");
    Path script = dir.resolve("make.py");
    Path blend = dir.resolve("scene.blend");
    // The Standard view transform: an 8-bit pixel is the sRGB encoding of the clamped linear radiance.
    Files.writeString(script, String.join("\n",
        "import bpy, sys",
        "bpy.ops.wm.read_factory_settings(use_empty=True)",
        "scene = bpy.context.scene",
        "scene.render.engine = 'CYCLES'",
        "scene.view_settings.view_transform = 'Standard'",
        "scene.view_settings.look = 'None'",
        "bpy.ops.mesh.primitive_uv_sphere_add(radius=1, location=(0, 0, 1))",
        "mat = bpy.data.materials.new('m'); mat.use_nodes = True",
        "mat.node_tree.nodes['Principled BSDF'].inputs['Base Color'].default_value = (0.8, 0.3, 0.1, 1)",
        "bpy.context.object.data.materials.append(mat)",
        "bpy.ops.mesh.primitive_plane_add(size=10)",
        "bpy.ops.object.light_add(type='SUN', location=(3, -3, 6)); bpy.context.object.data.energy = 6",
        "bpy.ops.object.camera_add(location=(5, -5, 4), rotation=(1.1, 0, 0.785))",
        "scene.camera = bpy.context.object",
        "world = bpy.data.worlds.new('w'); scene.world = world; world.use_nodes = True",
        "world.node_tree.nodes['Background'].inputs[1].default_value = 0.5",
        "bpy.ops.wm.save_as_mainfile(filepath=sys.argv[sys.argv.index('--') + 1])",
        ""));
    Process p = new ProcessBuilder("/usr/bin/blender", "-b", "--factory-startup", "--python", script.toString(), "--",
        blend.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.exists(blend), log);
    S3Uri scene = S3Uri.parse("s3://tilefarm/it/fmt/scene.blend");
    farm.farm.blobs().put(scene, Files.readAllBytes(blend), "application/octet-stream");
    String job = ",\"type\":\"render\",\"renderer\":\"blender\",\"width\":64,\"height\":48,\"tileSize\":32,"
        + "\"samples\":4,\"seed\":5,\"scene\":\"" + scene + "\"";
    Map<String, JobEvent> done = farm.run(
        TestFarm.json("{\"id\":\"fmt-bl8\",\"output\":\"s3://tilefarm/it/fmt/bl8.png\"" + job + "}"),
        TestFarm.json("{\"id\":\"fmt-bl16\",\"bitDepth\":16,\"output\":\"s3://tilefarm/it/fmt/bl16.png\"" + job + "}"),
        TestFarm.json("{\"id\":\"fmt-blx\",\"output\":\"s3://tilefarm/it/fmt/bl.exr\"" + job + "}"));
    int[] eight = pngSamples(completed(done, "fmt-bl8"), 8);
    int[] sixteen = pngSamples(completed(done, "fmt-bl16"), 16);
    assertScalesDown(eight, sixteen);
    assertTrue(distinctLowBytes(sixteen) > 16, "the 16-bit render has values between the 8-bit steps");

    Path exr = file(completed(done, "fmt-blx"));
    String header = OutsideReaders.run("openexr", "exrheader", exr.toString());
    assertTrue(header.contains("G, 16-bit floating-point, sampling 1 1"), header);
    float[] rgb = exrRgb(exr, 64, 48);
    int off = 0;
    for (int i = 0; i < rgb.length; i++) {
      double display = srgb(Math.min(1, Math.max(0, rgb[i]))) * 255;
      if (Math.abs(display - eight[i]) > 1.0) {
        off++;
      }
    }
    // Blender quantises its 8-bit PNG with its own float-to-byte rounding; a few samples may land a step away.
    assertTrue(off <= rgb.length / 100, off + " of " + rgb.length + " samples of the EXR do not encode to the PNG's");
  }

  private static JobEvent.Completed completed(Map<String, JobEvent> done, String id) {
    return assertInstanceOf(JobEvent.Completed.class, done.get(id), String.valueOf(done.get(id)));
  }

  private static Path file(JobEvent.Completed c) throws Exception {
    Path f = dir.resolve(c.jobId() + "." + c.output().extension());
    Files.write(f, farm.farm.blobs().get(c.output()));
    return f;
  }

  /** The samples of a PNG output as the JDK's PNG decoder reads it, which must be of {@code bits} bits. */
  private static int[] pngSamples(JobEvent.Completed c, int bits) throws Exception {
    Raster raster = ImageIO.read(new ByteArrayInputStream(farm.farm.blobs().get(c.output()))).getRaster();
    assertEquals(bits, raster.getSampleModel().getSampleSize(0), c.output() + " bits");
    return raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
  }

  /** Each 8-bit sample is its 16-bit one scaled by 255/65535, to within one step of rounding. */
  private static void assertScalesDown(int[] eight, int[] sixteen) {
    assertEquals(eight.length, sixteen.length);
    for (int i = 0; i < eight.length; i++) {
      assertTrue(Math.abs(sixteen[i] / 257.0 - eight[i]) <= 1.0, "sample " + i + ": 16-bit " + sixteen[i]
          + " but 8-bit " + eight[i]);
    }
  }

  private static void assertArrayEquals16(int[] want, int[] got) {
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], "sample " + i);
    }
  }

  private static long distinctLowBytes(int[] sixteen) {
    return java.util.Arrays.stream(sixteen).map(v -> v & 0xff).distinct().count();
  }

  /** An EXR's R, G, B halves as OpenCV's OpenEXR decoder reads them, in R, G, B order. */
  private static float[] exrRgb(Path exr, int w, int h) {
    Mat m = Imgcodecs.imread(exr.toString(), Imgcodecs.IMREAD_UNCHANGED);
    assertEquals(w, m.cols());
    assertEquals(h, m.rows());
    assertEquals(CvType.CV_32FC3, m.type());
    float[] bgr = new float[w * h * 3];
    m.get(0, 0, bgr);
    float[] rgb = new float[bgr.length];
    for (int i = 0; i < bgr.length; i += 3) {
      rgb[i] = bgr[i + 2];
      rgb[i + 1] = bgr[i + 1];
      rgb[i + 2] = bgr[i];
    }
    return rgb;
  }

  /** Narkowicz's ACES filmic fit after a 0.6 exposure, as docs/scenes.md states the builtin tone curve. */
  private static double aces(double radiance) {
    double x = Math.max(0, radiance) * 0.6;
    return Math.min(1, Math.max(0, x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14)));
  }

  /** The sRGB transfer function (IEC 61966-2-1). */
  private static double srgb(double linear) {
    return linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
  }
}
