package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Jobs for the povray and blender renderers, and frames: what JobCodec makes of them. */
class ExternalRenderJobsTest {
  private static JobRequest.Render decode(String json) throws Exception {
    return (JobRequest.Render) JobCodec.decode(Json.MAPPER.readTree(json.replace('\'', '"')), "j");
  }

  private static InvalidJobException invalid(String json) {
    return assertThrows(InvalidJobException.class, () -> decode(json));
  }

  private static final String POV = "'type':'render','width':64,'height':48,'renderer':'povray'";
  private static final String BLEND = "'type':'render','width':64,'height':48,'renderer':'blender'";

  @Test
  void aPovRaySceneByUriTakesTheDefaults() throws Exception {
    JobRequest.Render job = decode("{" + POV + ",'scene':'s3://bucket/scenes/a.pov'}");
    assertEquals(new SceneSpec.PovRay(S3Uri.parse("s3://bucket/scenes/a.pov"), null, 0.3, 3, false, 9, 0, 1),
        job.scene());
    assertNull(job.frames());
    assertEquals(1, job.frameCount());
  }

  @Test
  void aPovRaySceneObjectCarriesItsOptions() throws Exception {
    JobRequest.Render job = decode("{" + POV + ",'scene':{'file':'s3://bucket/scenes/a.zip','main':'dir/x.pov',"
        + "'antialias':0,'antialiasDepth':2,'jitter':true,'quality':5,'clock':[1,2]}}");
    assertEquals(new SceneSpec.PovRay(S3Uri.parse("s3://bucket/scenes/a.zip"), "dir/x.pov", 0, 2, true, 5, 1, 2),
        job.scene());
  }

  @Test
  void aPovRaySceneCarriesItsAnimationAndDeclarations() throws Exception {
    JobRequest.Render job = decode("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','clock':[0,2],"
        + "'frameRange':[1,30],'cyclic':true,'declare':{'Speed':1.5,'_n2':-3}},'frames':{'start':10,'end':20}}");
    assertEquals(new SceneSpec.PovRay(S3Uri.parse("s3://bucket/a.pov"), null, 0.3, 3, false, 9, 0, 2,
        new int[] {1, 30}, true, java.util.Map.of("Speed", 1.5, "_n2", -3.0)), job.scene());
    assertEquals("scene.frameRange", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','frameRange':[5,1]}}")
        .field());
    assertEquals("scene.frameRange", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','frameRange':[1.5,3]}}")
        .field());
    // Names reach POV-Ray's command line: only identifiers, only numbers.
    assertEquals("scene.declare.a b", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','declare':{'a b':1}}}")
        .field());
    assertEquals("scene.declare.X", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','declare':{'X':'+I/etc'}}}")
        .field());
  }

  @Test
  void unknownOptionsAndUnsafeMainFilesAreRejected() {
    InvalidJobException e = invalid("{" + BLEND + ",'scene':{'file':'s3://bucket/a.blend','engine':'EEVEE'}}");
    assertEquals("scene.engine", e.field());
    assertTrue(e.getMessage().contains("file, main, scene, camera"), e.getMessage());
    assertEquals("scene.main", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.zip','main':'../x.pov'}}").field());
    assertEquals("scene.main", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.pov','main':'x.pov'}}").field());
    assertEquals("scene.file", invalid("{" + POV + ",'scene':{'file':'s3://bucket/a.blend'}}").field());
    assertEquals("scene", invalid("{" + BLEND + "}").field());
    assertEquals("samples", invalid("{" + POV + ",'scene':'s3://bucket/a.pov','samples':4}").field());
  }

  @Test
  void framesMakeAnAnimationWithAnOutputPattern() throws Exception {
    JobRequest.Render job = decode("{" + BLEND + ",'scene':'s3://bucket/a.blend','frames':{'start':1,'end':9,'step':4},"
        + "'output':'s3://bucket/shot/f-###.png'}");
    assertEquals(new JobRequest.Frames(1, 9, 4, true), job.frames());
    assertEquals(3, job.frameCount());
    assertEquals(9, job.frames().number(2));
    assertEquals("output", invalid("{" + BLEND + ",'scene':'s3://bucket/a.blend','frames':{'start':1,'end':2},"
        + "'output':'s3://bucket/shot/f.png'}").field());
    assertEquals("frames.end", invalid("{" + BLEND + ",'scene':'s3://bucket/a.blend','frames':{'start':3,'end':2}}")
        .field());
    assertEquals("frames", invalid("{'type':'render','width':64,'height':48,'renderer':'mandelbrot','frames':"
        + "{'start':1,'end':2}}").field());
    assertEquals("frame", invalid("{" + BLEND + ",'scene':'s3://bucket/a.blend','frame':1,'frames':{'start':1,'end':2}}")
        .field());
  }

  @Test
  void aSingleFrameIsAStill() throws Exception {
    JobRequest.Render job = decode("{" + BLEND + ",'scene':'s3://bucket/a.blend','frame':-5}");
    assertEquals(new JobRequest.Frames(-5, -5, 1, false), job.frames());
    assertEquals("output", invalid("{" + BLEND + ",'scene':'s3://bucket/a.blend','output':'s3://bucket/f-##.png'}")
        .field());
  }

  @Test
  void theFrameNumberFillsTheLastRunOfHashes() {
    S3Uri pattern = S3Uri.parse("s3://bucket/shot#1/frame-####.png");
    assertEquals("s3://bucket/shot#1/frame-0007.png", JobRequest.Frames.outputOf(pattern, 7).toString());
    assertEquals("s3://bucket/shot#1/frame-12345.png", JobRequest.Frames.outputOf(pattern, 12345).toString());
    assertEquals("s3://bucket/shot#1/frame--0003.png", JobRequest.Frames.outputOf(pattern, -3).toString());
  }
}
