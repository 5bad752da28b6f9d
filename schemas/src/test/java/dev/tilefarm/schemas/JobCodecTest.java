package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The job decoder is strict, and its messages name the field, what was wanted and what was given. */
class JobCodecTest {
  private static final String MANDELBROT = "'type':'render','width':64,'height':48,'renderer':'mandelbrot'";
  private static final String PROCESS = "'type':'process','input':'s3://in-bucket/a.png'";
  private static final String SCENE = "'camera':{'position':[0,1,5],'lookAt':[0,1,0]},"
      + "'materials':{'white':{'type':'diffuse','color':[0.5,0.5,0.5]}},"
      + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'white'}]";

  // ---- what decodes ----

  @Test
  void aMinimalRenderJobTakesTheStatedDefaults() {
    JobRequest.Render job = (JobRequest.Render) decode("{" + MANDELBROT + "}");
    assertEquals(new JobRequest.Render("fallback", 64, 48, Renderer.MANDELBROT,
        new SceneSpec.Mandelbrot(-0.5, 0, 1, 256), 16,
        0, 0, null), job);
  }

  @Test
  void aBuiltinSceneTakesTheStatedDefaults() {
    JobRequest.Render job = (JobRequest.Render) decode("{'type':'render','width':64,'height':48,'renderer':'builtin',"
        + "'scene':{'camera':{'position':[0,1,5],'lookAt':[0,1,0]},"
        + "'materials':{'lamp':{'type':'emissive','color':[1,1,1]}},"
        + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'lamp'}]}}");
    SceneSpec.Builtin scene = (SceneSpec.Builtin) job.scene();
    assertArrayEquals(new double[] {0, 1, 0}, scene.camera().up());
    assertEquals(40, scene.camera().fov());
    assertArrayEquals(new double[] {0, 0, 0}, scene.sky());
    assertEquals(8, scene.maxDepth());
    assertEquals(1, ((SceneSpec.Emissive) scene.materials().get("lamp")).strength());
  }

  @Test
  void aProcessJobKeepsItsOpsInOrder() {
    JobRequest.Process job = (JobRequest.Process) decode("{'id':'p-1'," + PROCESS
        + ",'ops':[{'op':'gaussian-blur','sigma':3},{'op':'grayscale'}],'tileSize':256,'output':'s3://out-bucket/p.JPG'}");
    assertEquals("p-1", job.id());
    assertEquals(List.of(new ImageOp.GaussianBlur(3), new ImageOp.Grayscale()), job.ops());
    assertEquals(256, job.tileSize());
    assertEquals(S3Uri.parse("s3://out-bucket/p.JPG"), job.output());
  }

  @Test
  void theJobsOwnIdWinsOverTheFallback() {
    assertEquals("mine", decode("{'id':'mine'," + MANDELBROT + "}").id());
    assertEquals("fallback", decode("{" + MANDELBROT + "}").id());
  }

  @Test
  void anIntegralFloatIsAnInteger() {
    assertEquals(640, ((JobRequest.Render) decode("{'type':'render','width':640.0,'height':4.8e2,'renderer':'mandelbrot'}"))
        .width());
  }

  // ---- unknown fields ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{" + MANDELBROT + ",'colour':1}"
          + "|colour|id, type, tileSize, timeLimit, priority, maxAttempts, after, output, width, height, renderer, scene, samples, seed, frame, frames, frameOrder, bitDepth, video",
      "{" + PROCESS + ",'ops':[{'op':'grayscale'}],'width':64}|width|id, type, tileSize, timeLimit, priority, maxAttempts, after, output, input, ops",
      "{" + MANDELBROT + ",'scene':{'centre':[0,0]}}|scene.centre|center, zoom, iterations",
      "{" + PROCESS + ",'ops':[{'op':'gaussian-blur','sigma':1,'radius':2}]}|ops[0].radius|op, sigma",
      "{" + PROCESS + ",'ops':[{'op':'grayscale','sigma':1}]}|ops[0].sigma|op",
      "{'type':'render','width':64,'height':48,'renderer':'builtin','scene':{" + SCENE + ",'shadows':[]}}"
          + "|scene.shadows|camera, sky, environment, assets, textures, materials, objects, lights, maxDepth, encoding,"
          + " exposure, cameraKeys, fps",
      "{'type':'render','width':64,'height':48,'renderer':'builtin','scene':{"
          + "'camera':{'position':[0,1,5],'lookAt':[0,1,0],'zoom':2},"
          + "'materials':{'white':{'type':'diffuse','color':[1,1,1]}},"
          + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'white'}]}}"
          + "|scene.camera.zoom|position, lookAt, up, fov, aperture, focusDistance",
      "{'type':'render','width':64,'height':48,'renderer':'builtin','scene':{"
          + "'camera':{'position':[0,1,5],'lookAt':[0,1,0]},"
          + "'materials':{'white':{'type':'diffuse','color':[1,1,1],'strength':2}},"
          + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'white'}]}}"
          + "|scene.materials.white.strength|type, color, texture",
  })
  void anUnknownFieldIsAnErrorThatListsTheValidOnes(String json, String field, String valid) {
    InvalidJobException e = invalid(json);
    assertEquals(field, e.field());
    assertEquals(field + ": unknown field (valid fields here: " + valid + ")", e.getMessage());
  }

  /** Rules between an op's parameters, which the JSON Schema cannot state: the decoder names the field. */
  @Test
  void opParametersThatDependOnEachOtherAreCheckedNamingTheField() {
    assertEquals("ops[0].low: must not be above high (10.0), got 20.0",
        invalid("{" + PROCESS + ",'ops':[{'op':'canny','low':20,'high':10}]}").getMessage());
    assertEquals("ops[0].dy: dx + dy must be at least 1, got dx 0 and dy 0",
        invalid("{" + PROCESS + ",'ops':[{'op':'sobel','dx':0}]}").getMessage());
    assertEquals("ops[0].dy: exactly one of dx and dy must be 1, got dx 1 and dy 1",
        invalid("{" + PROCESS + ",'ops':[{'op':'scharr','dy':1}]}").getMessage());
    assertEquals("ops[0].width: give either factor or width and height, not both",
        invalid("{" + PROCESS + ",'ops':[{'op':'resize','factor':2,'width':5}]}").getMessage());
    assertEquals("ops[0].maxSize: must not be below minSize (100), got 50",
        invalid("{" + PROCESS + ",'ops':[{'op':'detect-faces','minSize':100,'maxSize':50}]}").getMessage());
    assertEquals("ops[0].size: must be odd, from 3 to 255, got 4",
        invalid("{" + PROCESS + ",'ops':[{'op':'box-blur','size':4}]}").getMessage());
    assertEquals("ops[0].to: must be one of hsv, hls, lab, luv, ycrcb, xyz, got a string \"cmyk\"",
        invalid("{" + PROCESS + ",'ops':[{'op':'convert-color','to':'cmyk'}]}").getMessage());
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertEquals("ops[0].op: unknown op 'emboss' (valid ops: " + String.join(", ", Ops.names()) + ")",
        invalid("{" + PROCESS + ",'ops':[{'op':'emboss'}]}").getMessage());
    assertTrue(Ops.names().containsAll(java.util.List.of("grayscale", "gaussian-blur", "clahe", "canny", "resize",
        "detect-faces")), Ops.names().toString());
    assertEquals("renderer: unknown renderer 'pbrt' (valid: mandelbrot, builtin, povray, blender, sleep)",
        invalid("{'type':'render','width':64,'height':48,'renderer':'pbrt'}").getMessage());
    assertEquals("type: must be \"render\", \"process\" or \"video\", got \"transcode\"",
        invalid("{'type':'transcode'}").getMessage());
    assertEquals("ops: is empty: give at least one op (valid ops: " + String.join(", ", Ops.names()) + ")",
        invalid("{" + PROCESS + ",'ops':[]}").getMessage());
    assertTrue(invalid("{'type':'render','width':64,'height':48,'renderer':'builtin','scene':{"
        + "'camera':{'position':[0,1,5],'lookAt':[0,1,0]},'materials':{'white':{'type':'diffuse','color':[1,1,1]}},"
        + "'objects':[{'type':'sphere','center':[0,1,0],'radius':1,'material':'chrome'}]}}").getMessage()
        .endsWith("names material 'chrome', which is not defined (defined: white)"));
  }

  // ---- wrong types ----

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'width':'64'|width|must be an integer from 1 to 65536, got a string \"64\"",
      "'width':true|width|must be an integer from 1 to 65536, got a boolean true",
      "'width':[1,2]|width|must be an integer from 1 to 65536, got an array of 2",
      "'width':{}|width|must be an integer from 1 to 65536, got an object",
      "'width':64.5|width|must be an integer from 1 to 65536, got the number 64.5",
      "'renderer':7|renderer|must be a string, got the number 7",
      "'seed':'42'|seed|must be a 64-bit integer, got a string \"42\"",
      "'seed':1.5|seed|must be a 64-bit integer, got the number 1.5",
      "'scene':[]|scene|must be a JSON object, got an array of 0",
      "'scene':{'center':0}|scene.center|must be an array of 2 numbers, got the number 0",
      "'scene':{'center':[0,'0']}|scene.center[1]|must be a number from -4.0 to 4.0, got a string \"0\"",
      "'scene':{'zoom':'2'}|scene.zoom|must be a number, got a string \"2\"",
      "'output':5|output|must be a string, got the number 5",
  })
  void aWrongTypeSaysWhatWasGiven(String fields, String field, String reason) {
    ObjectNode job = parse("{" + MANDELBROT + "}");
    job.setAll(parse("{" + fields + "}"));
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.decode(job, "fallback"));
    assertEquals(field, e.field());
    assertEquals(reason, e.reason());
  }

  @Test
  void aLongStringIsShortenedInTheMessage() {
    InvalidJobException e = invalid("{" + MANDELBROT + ",'samples':'" + "x".repeat(100) + "'}");
    assertEquals("must be an integer from 1 to 65536, got a string \"" + "x".repeat(40) + "...\"", e.reason());
  }

  @Test
  void aMissingRequiredFieldSaysWhatIsWanted() {
    assertEquals("width: is required (an integer from 1 to 65536)",
        invalid("{'type':'render','height':48,'renderer':'mandelbrot'}").getMessage());
    assertEquals("type: is required", invalid("{'width':64}").getMessage());
    assertEquals("input: is required", invalid("{'type':'process','ops':[{'op':'grayscale'}]}").getMessage());
    assertEquals("ops[0].sigma: is required (a number from 0.1 to 64.0)",
        invalid("{" + PROCESS + ",'ops':[{'op':'gaussian-blur'}]}").getMessage());
    assertEquals("scene: is required for the builtin renderer",
        invalid("{'type':'render','width':64,'height':48,'renderer':'builtin'}").getMessage());
  }

  // ---- numbers ----

  @Test
  void nanIsNotJson() {
    assertThrows(UndecodableException.class, () -> parse("{" + MANDELBROT + ",'samples':NaN}"));
    assertThrows(UndecodableException.class, () -> parse("{" + MANDELBROT + ",'samples':Infinity}"));
  }

  @Test
  void aNumberTooLargeForADoubleIsOutOfRange() {
    assertEquals("must be from 1 to 65536, got Infinity", invalid("{" + MANDELBROT + ",'samples':1e400}").reason());
    InvalidJobException zoom = invalid("{" + MANDELBROT + ",'scene':{'zoom':-1e400}}");
    assertEquals("scene.zoom", zoom.field());
    assertEquals("must be from 0.001 to 1.0E13, got -Infinity", zoom.reason());
  }

  @Test
  void aRepeatedFieldIsUndecodableNotLastOneWins() {
    UndecodableException e = assertThrows(UndecodableException.class,
        () -> parse("{" + MANDELBROT + ",'width':-1,'width':64}"));
    assertTrue(e.getMessage().contains("Duplicate field 'width'"), e.getMessage());
  }

  @Test
  void aHugeIntegerIsOutOfRangeNotWrapped() {
    assertEquals("must be from 1 to 65536, got 4294967360", invalid("{" + MANDELBROT + ",'samples':4294967360}").reason());
    assertEquals("must be from 1 to 65536, got 100000.0", invalid("{'type':'render','renderer':'mandelbrot','height':10,'width':1e5}").reason());
    assertEquals("must be a 64-bit integer, got the number 9223372036854775808",
        invalid("{" + MANDELBROT + ",'seed':9223372036854775808}").reason());
    assertEquals(Long.MIN_VALUE, ((JobRequest.Render) decode("{" + MANDELBROT + ",'seed':-9223372036854775808}")).seed());
  }

  @Test
  void aNumberOfMoreThan64DigitsIsUndecodable() {
    UndecodableException e = assertThrows(UndecodableException.class,
        () -> parse("{" + MANDELBROT + ",'seed':" + "9".repeat(65) + "}"));
    assertTrue(e.getMessage().startsWith("not valid JSON: Number value length (65)"), e.getMessage());
  }

  // ---- what is not a job at all ----

  @Test
  void nestingDeeperThan64LevelsIsUndecodable() {
    // The outer object is level 1: 63 arrays inside it are 64 levels, one more is too many.
    ObjectNode ok = JobCodec.parse(bytes("{'a':" + "[".repeat(63) + "]".repeat(63) + "}"));
    assertEquals("type: is required", assertThrows(InvalidJobException.class, () -> JobCodec.decode(ok, "f")).getMessage());
    UndecodableException e = assertThrows(UndecodableException.class,
        () -> parse("{'a':" + "[".repeat(64) + "]".repeat(64) + "}"));
    assertTrue(e.getMessage().contains("nesting depth (65) exceeds the maximum allowed (64"), e.getMessage());
    assertThrows(UndecodableException.class, () -> parse("[".repeat(1000) + "]".repeat(1000)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "[1,2]|an array of 2",
      "'job'|a string \"job\"",
      "42|the number 42",
      "true|a boolean true",
      "null|nothing",
      "''|a string \"\"",
  })
  void jsonThatIsNotAnObjectIsUndecodable(String json, String given) {
    UndecodableException e = assertThrows(UndecodableException.class, () -> parse(json));
    assertEquals("a job must be a JSON object, got " + given, e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "{", "{'type':}", "{'type':'render'} {}", "{'type':'render'} x", "\u00ff\u00fe"})
  void bytesThatAreNotOneJsonValueAreUndecodable(String text) {
    assertThrows(UndecodableException.class, () -> parse(text));
  }

  @Test
  void noValueIsUndecodable() {
    assertEquals("the record has no value", assertThrows(UndecodableException.class, () -> JobCodec.parse(null))
        .getMessage());
  }

  @Test
  void aJobLargerThan512KiBIsRefusedBeforeParsing() {
    byte[] job = bytes("{" + MANDELBROT + "}");
    byte[] padded = Arrays.copyOf(job, JobCodec.MAX_BYTES);
    Arrays.fill(padded, job.length, padded.length, (byte) ' ');
    assertEquals("fallback", JobCodec.decode(JobCodec.parse(padded), "fallback").id());
    byte[] tooBig = Arrays.copyOf(padded, JobCodec.MAX_BYTES + 1);
    tooBig[JobCodec.MAX_BYTES] = ' ';
    assertEquals("the record is 524289 bytes; a job may have at most 524288",
        assertThrows(UndecodableException.class, () -> JobCodec.parse(tooBig)).getMessage());
  }

  // ---- ids ----

  @Test
  void aBrokenJobIsReportedUnderItsIdIfItHasAValidOne() {
    assertEquals("mine", invalid("{'id':'mine','type':'render','width':0,'height':48,'renderer':'mandelbrot'}").jobId());
    assertEquals("fallback", invalid("{'type':'render','width':0,'height':48,'renderer':'mandelbrot'}").jobId());
    InvalidJobException badId = invalid("{'id':'../x'," + MANDELBROT + "}");
    assertEquals("id", badId.field());
    assertEquals("fallback", badId.jobId());
    assertEquals("id", invalid("{'id':7," + MANDELBROT + "}").field());
  }

  @Test
  void idOfFallsBackUnlessTheIdIsValid() {
    assertEquals("mine", JobCodec.idOf(JobCodec.parse(bytes("{'id':'mine'}")), "f"));
    assertEquals("f", JobCodec.idOf(JobCodec.parse(bytes("{'id':'no/slash'}")), "f"));
    assertEquals("f", JobCodec.idOf(JobCodec.parse(bytes("{'id':12}")), "f"));
    assertEquals("f", JobCodec.idOf(null, "f"));
  }

  @Test
  void withoutAnIdOrAValidFallbackTheIdIsAtFault() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> JobCodec.decode(JobCodec.parse(bytes("{" + MANDELBROT + "}")), null));
    assertEquals("id", e.field());
    assertNull(e.jobId());
  }

  @Test
  void decodingSomethingOtherThanAnObjectBlamesNoField() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> JobCodec.decode(com.fasterxml.jackson.databind.node.TextNode.valueOf("x"), "f"));
    assertNull(e.field());
    assertEquals("must be a JSON object, got a string \"x\"", e.getMessage());
  }

  // ---- S3 fields ----

  @Test
  void s3FieldsCarryS3UrisMessage() {
    InvalidJobException traversal = invalid("{'type':'process','input':'s3://in-bucket/a/../b.png','ops':[{'op':'grayscale'}]}");
    assertEquals("input", traversal.field());
    assertEquals("the object key 'a/../b.png' has a '..' segment", traversal.reason());
    InvalidJobException gif = invalid("{" + MANDELBROT + ",'output':'s3://out-bucket/a.gif'}");
    assertEquals("output", gif.field());
    assertEquals("extension '.gif' is not a supported image format (supported: .png, .jpg, .jpeg, .tif, .tiff, "
        + ".exr, .webp)", gif.reason());
  }

  private static byte[] bytes(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A reason quotes what the job gave, and a job may be 512 KiB: a 500 000-character op name made a REJECTED
   * event (and an HTTP 400) of half a megabyte. Reasons are cut at 4096 characters, saying how long they were.
   */
  @Test
  void aReasonQuotingAHugeValueIsCut() {
    String name = "q".repeat(500_000);
    ObjectNode job = parse("{'id': 'big-op', 'type': 'process', 'input': 's3://tilefarm/in.png', 'ops': [{'op': 'x'}]}");
    ((ObjectNode) job.get("ops").get(0)).put("op", name);
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> JobCodec.decode(job, "big-op"));
    assertEquals("ops[0].op", e.field());
    assertTrue(e.reason().startsWith("unknown op 'qqq"), e.reason());
    assertTrue(e.reason().matches("(?s)unknown op 'q{4084}\\.\\.\\. \\(5\\d{5} characters\\)"), e.reason());
    assertTrue(e.reason().length() <= InvalidJobException.MAX_CHARS + 40, "reason of " + e.reason().length());
    assertTrue(e.getMessage().length() <= InvalidJobException.MAX_CHARS + 60, "message of " + e.getMessage().length());
  }

  @Test
  void cutKeepsShortTextAndNeverSplitsASurrogatePair() {
    assertEquals("short", InvalidJobException.cut("short"));
    String text = "a".repeat(InvalidJobException.MAX_CHARS - 1) + "\uD83D\uDE00" + "b".repeat(10);
    String cut = InvalidJobException.cut(text);
    assertEquals("a".repeat(InvalidJobException.MAX_CHARS - 1) + "... (" + text.length() + " characters)", cut);
  }

  // ---- output formats and bit depth ----

  private static final String BUILTIN = "'type':'render','width':64,'height':48,'renderer':'builtin','scene':{" + SCENE
      + "}";
  private static final String POVRAY = "'type':'render','width':64,'height':48,'renderer':'povray',"
      + "'scene':'s3://in-bucket/a.pov'";

  @Test
  void theBitDepthOfARenderComesFromItsFieldOrItsExrOutput() {
    assertEquals(8, ((JobRequest.Render) decode("{" + BUILTIN + "}")).bitDepth());
    assertEquals(16, ((JobRequest.Render) decode("{" + BUILTIN + ",'bitDepth':16}")).bitDepth());
    assertEquals(16, ((JobRequest.Render) decode("{" + POVRAY + ",'bitDepth':16,'output':'s3://o-b/x.tif'}"))
        .bitDepth());
    assertEquals(JobRequest.Render.FLOAT, ((JobRequest.Render) decode("{" + BUILTIN + ",'output':'s3://o-b/x.exr'}"))
        .bitDepth());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "MANDELBROT,'bitDepth':16|bitDepth|the mandelbrot renderer makes 8-bit colours; 16 bits come from builtin, "
          + "povray and blender",
      "BUILTIN,'bitDepth':16,'output':'s3://o-b/x.jpg'|bitDepth|16 needs a .png or .tif output; JPEG holds 8 bits, "
          + "not 's3://o-b/x.jpg'",
      "BUILTIN,'bitDepth':12|bitDepth|must be 8 or 16, got 12",
      "BUILTIN,'bitDepth':16,'output':'s3://o-b/x.exr'|bitDepth|is for .png and .tif outputs; an .exr output always "
          + "holds half floats",
      "POVRAY,'output':'s3://o-b/x.exr'|output|'s3://o-b/x.exr' is OpenEXR, float samples, which only the builtin and "
          + "blender renderers make; for povray write a .png or .tif output with \"bitDepth\": 16",
      "BUILTIN,'output':'s3://o-b/x.webp'|output|'s3://o-b/x.webp' is WebP, which is for process jobs; a render "
          + "writes .png, .tif, .jpg or .exr",
      "PROCESS,'ops':[{'op':'grayscale'}],'output':'s3://o-b/x.exr'|output|'s3://o-b/x.exr' is OpenEXR, float "
          + "samples, which only builtin and blender renders make; a process job's pixels are 8-bit: write .png, "
          + ".tif, .webp or .jpg"})
  void aFormatTheJobCannotFillIsRefusedNamingTheField(String job, String field, String reason) {
    String base = switch (job.substring(0, job.indexOf(','))) {
      case "MANDELBROT" -> MANDELBROT;
      case "BUILTIN" -> BUILTIN;
      case "POVRAY" -> POVRAY;
      default -> PROCESS;
    };
    InvalidJobException e = invalid("{" + base + job.substring(job.indexOf(',')) + "}");
    assertEquals(field, e.field());
    assertEquals(reason, e.reason());
  }

  @Test
  void processJobsWriteTiffAndWebpButTakeNoBitDepth() {
    assertEquals("s3://o-b/x.webp", decode("{" + PROCESS + ",'ops':[{'op':'grayscale'}],'output':'s3://o-b/x.webp'}")
        .output().toString());
    assertEquals("s3://o-b/x.tiff", decode("{" + PROCESS + ",'ops':[{'op':'grayscale'}],'output':'s3://o-b/x.tiff'}")
        .output().toString());
    assertEquals("bitDepth", invalid("{" + PROCESS + ",'ops':[{'op':'grayscale'}],'bitDepth':16}").field());
  }

  private static ObjectNode parse(String singleQuoted) {
    return JobCodec.parse(bytes(singleQuoted));
  }

  private static JobRequest decode(String singleQuoted) {
    return JobCodec.decode(parse(singleQuoted), "fallback");
  }

  private static InvalidJobException invalid(String singleQuoted) {
    ObjectNode json = parse(singleQuoted);
    return assertThrows(InvalidJobException.class, () -> JobCodec.decode(json, "fallback"));
  }
}
