package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.SceneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PovIniTest {
  private static final Path INI = Path.of("/scenes/anim.ini");

  private static ObjectNode[] apply(String text) throws Exception {
    ObjectNode job = Json.MAPPER.createObjectNode();
    ObjectNode scene = job.putObject("scene");
    PovIni.parse(INI, text).applyTo(job, scene);
    return new ObjectNode[] {job, scene};
  }

  @Test
  void anAnimationIniBecomesTheJobsFramesClockAndFrameRange() throws Exception {
    ObjectNode[] r = apply("""
        ; a comment
        Input_File_Name = "anim.pov"
        Width=320 ; trailing comment
        height=240
        Antialias=On
        Antialias_Threshold=0.2
        Antialias_Depth=4
        Jitter=off
        Quality=8
        Initial_Frame=1
        Final_Frame=30
        Initial_Clock=0
        Final_Clock=2
        Subset_Start_Frame=10
        Subset_End_Frame=20
        Declare=Speed=1.5
        Output_File_Type=N
        Display=Off
        [Other]
        Width=9999
        """);
    ObjectNode job = r[0];
    ObjectNode scene = r[1];
    assertEquals(320, job.get("width").asInt());
    assertEquals(240, job.get("height").asInt());
    assertEquals(0.2, scene.get("antialias").asDouble());
    assertEquals(4, scene.get("antialiasDepth").asInt());
    assertFalse(scene.get("jitter").asBoolean());
    assertEquals(8, scene.get("quality").asInt());
    assertEquals("[0.0,2.0]", scene.get("clock").toString());
    assertEquals("[1,30]", scene.get("frameRange").toString());
    assertEquals("{\"start\":10,\"end\":20,\"step\":1}", job.get("frames").toString());
    assertEquals(1.5, scene.get("declare").get("Speed").asDouble());
  }

  @Test
  void clockDeltaIsTheClockSpanOverTheFrameSpan() throws Exception {
    // POV-Ray: clock_delta = (Final_Clock - Initial_Clock) / (Final_Frame - Initial_Frame)
    assertEquals(2.0 / 29, PovIni.parse(INI, "Initial_Frame=1\nFinal_Frame=30\nFinal_Clock=2\n").clockDelta(), 1e-12);
    assertEquals(1.0 / 9, PovIni.parse(INI, "+KFI1 +KFF10\n").clockDelta(), 1e-12);
    assertEquals(0.5 / 10, PovIni.parse(INI, "Initial_Frame=0\nFinal_Frame=10\nInitial_Clock=0.5\nFinal_Clock=1\n")
        .clockDelta(), 1e-12);
    assertEquals(1.0 / 10, PovIni.parse(INI, "Final_Frame=10\nCyclic_Animation=on\n").clockDelta(), 1e-12);
    assertEquals(0, PovIni.parse(INI, "Width=10\n").clockDelta());
  }

  @Test
  void switchLinesWorkAsOptions() throws Exception {
    ObjectNode[] r = apply("+W640 +H360 +A0.1 +R2 +KFI0 +KFF4 +KI1 +KF3 +FN +D\n");
    assertEquals(640, r[0].get("width").asInt());
    assertEquals(360, r[0].get("height").asInt());
    assertEquals(0.1, r[1].get("antialias").asDouble());
    assertTrue(r[1].get("jitter").asBoolean(), "POV-Ray jitters antialiasing by default");
    assertEquals("[1.0,3.0]", r[1].get("clock").toString());
    assertEquals("{\"start\":0,\"end\":4,\"step\":1}", r[0].get("frames").toString());
  }

  @Test
  void povRaysDefaultsHoldWhereTheIniIsSilent() throws Exception {
    ObjectNode[] r = apply("Clock=0.25\n");
    assertEquals(0, r[1].get("antialias").asDouble(), "antialiasing is off unless the INI turns it on");
    assertEquals("[0.25,0.25]", r[1].get("clock").toString());
    assertFalse(r[0].has("frames"));
    assertFalse(r[0].has("width"));
  }

  @Test
  void theResultIsAJobTheFarmAccepts() throws Exception {
    ObjectNode[] r = apply("Final_Frame=12\nFinal_Clock=6\nFrame_Step=2\nDeclare=Size=3\nAntialias=on\n");
    ObjectNode job = r[0];
    job.put("type", "render").put("id", "ini-1").put("renderer", "povray");
    job.put("width", 64).put("height", 48);
    r[1].put("file", "s3://tilefarm/scenes/x.pov");
    JobRequest.Render decoded = (JobRequest.Render) JobCodec.decode(job, null);
    SceneSpec.PovRay pov = (SceneSpec.PovRay) decoded.scene();
    assertEquals(List.of(1, 12), List.of(pov.frameRange()[0], pov.frameRange()[1]));
    assertEquals(6.0, pov.clockEnd());
    assertEquals(Map.of("Size", 3.0), pov.declare());
    assertEquals(new JobRequest.Frames(1, 12, 2, true), decoded.frames());
  }

  @Test
  void optionsTheFarmCannotHonourAreErrorsNamingTheLine() {
    Main.UsageException e = assertThrows(Main.UsageException.class,
        () -> PovIni.parse(INI, "Width=10\nPre_Scene_Command=rm -rf /\n"));
    assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("Pre_Scene_Command"), e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> PovIni.parse(INI, "Start_Row=0.5\n"));
    assertTrue(e.getMessage().contains("Start_Row"), e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> PovIni.parse(INI, "Declare=1x=2\n"));
    assertTrue(e.getMessage().contains("Declare"), e.getMessage());
    e = assertThrows(Main.UsageException.class, () -> PovIni.parse(INI, "Library_Path=/opt/mine\n"));
    assertTrue(e.getMessage().contains("Library_Path"), e.getMessage());
  }

  @Test
  void includedInisAreRead(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("base.ini"), "Width=100\nHeight=50\n");
    Files.writeString(dir.resolve("shot.ini"), "Include_Ini=base.ini\nHeight=60\nInput_File_Name=shot.pov\n");
    PovIni ini = PovIni.read(dir.resolve("shot.ini"));
    ObjectNode job = Json.MAPPER.createObjectNode();
    ini.applyTo(job, job.putObject("scene"));
    assertEquals(100, job.get("width").asInt());
    assertEquals(60, job.get("height").asInt());
    assertEquals(dir.resolve("shot.pov"), ini.input());
  }
}
