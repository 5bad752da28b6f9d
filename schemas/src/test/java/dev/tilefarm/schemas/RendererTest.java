package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The renderers' names on the wire, which of them are external, and where each job's tiles go. */
class RendererTest {
  private static JobRequest decode(String json) throws Exception {
    return JobCodec.decode(Json.MAPPER.readTree(json.replace('\'', '"')), "j");
  }

  @Test
  void theWireNamesAreTheJobSchemasAndTheExternalOnesRunAProgram() {
    assertEquals(List.of("mandelbrot", "builtin", "povray", "blender", "sleep"), Renderer.ids());
    assertEquals(List.of(Renderer.POVRAY, Renderer.BLENDER, Renderer.FFMPEG), Renderer.externals());
    // ffmpeg is a lane of its own (videos of animations), not a renderer a job may name.
    assertEquals(Optional.of(Renderer.FFMPEG), Renderer.find("ffmpeg"));
    assertEquals(List.of(Renderer.BUILTIN, Renderer.POVRAY, Renderer.BLENDER), Renderer.animating());
    assertEquals(Optional.of(Renderer.BLENDER), Renderer.find("blender"));
    assertEquals(Optional.empty(), Renderer.find("BLENDER"), "names are lower-case on the wire");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Renderer.of("cycles"));
    assertEquals("unknown renderer 'cycles' (valid: mandelbrot, builtin, povray, blender, sleep)", e.getMessage());
  }

  @Test
  void ffmpegIsNoRendererAJobMayName() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> decode("{'type':'render','width':8,'height':8,'renderer':'ffmpeg','scene':{}}"));
    assertEquals("renderer", e.field());
    assertTrue(e.getMessage().contains("encodes videos"), e.getMessage());
  }

  @Test
  void anUnknownRendererIsRejectedNamingTheField() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> decode("{'type':'render','width':8,'height':8,'renderer':'cycles','scene':{}}"));
    assertEquals("renderer", e.field());
  }

  @Test
  void externalRenderersTilesTakeTheirOwnLaneAndTheRestTheSharedOne() throws Exception {
    JobRequest pov = decode("{'type':'render','width':64,'height':48,'renderer':'povray',"
        + "'scene':'s3://bucket/scenes/a.pov'}");
    JobRequest blend = decode("{'type':'render','width':64,'height':48,'renderer':'blender',"
        + "'scene':'s3://bucket/scenes/a.blend'}");
    JobRequest mandelbrot = decode("{'type':'render','width':64,'height':48,'renderer':'mandelbrot'}");
    JobRequest process = decode("{'type':'process','input':'s3://bucket/in.png','ops':[{'op':'invert'}]}");
    assertEquals(Optional.of(Renderer.POVRAY), Renderer.lane(pov));
    assertEquals(Optional.of(Renderer.BLENDER), Renderer.lane(blend));
    assertEquals(Optional.empty(), Renderer.lane(mandelbrot));
    assertEquals(Optional.empty(), Renderer.lane(process));

    Topics topics = new Topics("t.");
    assertEquals("t.tile-tasks.povray", topics.tileTasksFor(pov).name());
    assertEquals("t.tile-tasks.blender", topics.tileTasksFor(blend).name());
    assertEquals("t.tile-tasks", topics.tileTasksFor(mandelbrot).name());
    assertEquals("t.tile-tasks", topics.tileTasksFor(process).name());
    assertEquals("t.render-workers.povray", topics.taskGroup("t.tile-tasks.povray"));
    // What a worker subscribes to, by the names of the renderers it has.
    assertEquals("t.tile-tasks.blender", topics.tileTasksFor("blender").name());
    assertEquals("t.tile-tasks", topics.tileTasksFor("builtin").name());
    assertEquals(List.of("t.tile-tasks", "t.tile-tasks.povray", "t.tile-tasks.blender", "t.tile-tasks.ffmpeg"),
        topics.allTileTasks().stream().map(Topic::name).toList());
  }

  @Test
  void eachSceneKindHasTheRendererThatDrawsIt() throws Exception {
    for (String json : List.of(
        "{'type':'render','width':64,'height':48,'renderer':'mandelbrot'}",
        "{'type':'render','width':64,'height':48,'renderer':'builtin','scene':'s3://bucket/scenes/a.json'}",
        "{'type':'render','width':64,'height':48,'renderer':'povray','scene':'s3://bucket/scenes/a.pov'}",
        "{'type':'render','width':64,'height':48,'renderer':'blender','scene':'s3://bucket/scenes/a.blend'}",
        "{'type':'render','width':64,'height':48,'renderer':'sleep','scene':{'millisPerTile':20}}")) {
      JobRequest.Render job = (JobRequest.Render) decode(json);
      assertEquals(job.renderer(), job.scene().renderer(), json);
    }
  }

  @Test
  void theSleepRendererTakesItsMillisPerTileAndNothingElse() throws Exception {
    JobRequest.Render job = (JobRequest.Render) decode(
        "{'type':'render','width':64,'height':48,'renderer':'sleep','scene':{'millisPerTile':250}}");
    assertEquals(new SceneSpec.Sleep(250), job.scene());
    assertEquals(Optional.empty(), Renderer.lane(job), "a built-in renderer: the shared lane");
    for (var bad : List.of(
        List.of("{'type':'render','width':8,'height':8,'renderer':'sleep'}", "scene"),
        List.of("{'type':'render','width':8,'height':8,'renderer':'sleep','scene':{}}", "scene.millisPerTile"),
        List.of("{'type':'render','width':8,'height':8,'renderer':'sleep','scene':{'millisPerTile':-1}}",
            "scene.millisPerTile"),
        List.of("{'type':'render','width':8,'height':8,'renderer':'sleep','scene':{'millisPerTile':60001}}",
            "scene.millisPerTile"),
        List.of("{'type':'render','width':8,'height':8,'renderer':'sleep','scene':{'millisPerTile':5,'ms':5}}",
            "scene.ms"))) {
      InvalidJobException e = assertThrows(InvalidJobException.class, () -> decode(bad.get(0)), bad.get(0));
      assertEquals(bad.get(1), e.field(), bad.get(0));
    }
  }
}
