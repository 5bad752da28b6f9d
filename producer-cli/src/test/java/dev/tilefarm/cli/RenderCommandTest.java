package dev.tilefarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.Json;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {
  @Test
  void aSceneFolderZipsToTheSameBytesWhateverTheFilesTimes(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("models"));
    Files.writeString(dir.resolve("scene.json"), "{}");
    Files.writeString(dir.resolve("models/a.obj"), "v 0 0 0\n");
    Path zip = dir.resolveSibling(dir.getFileName() + "-a.zip");
    Uploads.zip(Uploads.wholeFolder(dir), zip);
    byte[] first = Files.readAllBytes(zip);
    Files.setLastModifiedTime(dir.resolve("models/a.obj"), FileTime.fromMillis(1_000_000_000_000L));
    Uploads.zip(Uploads.wholeFolder(dir), zip);
    assertArrayEquals(first, Files.readAllBytes(zip), "content-addressed uploads need deterministic archives");
    Files.delete(zip);
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(first))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    assertTrue(names.contains("models/a.obj") && names.contains("scene.json"), names.toString());
  }

  @Test
  void onlyRelativeFilesNeedTheFolderUploaded() throws Exception {
    assertTrue(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"objects\":[{\"type\":\"mesh\",\"file\":\"models/a.obj\"}]}")));
    assertTrue(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"environment\":{\"file\":\"sky.hdr\"},\"objects\":[]}")));
    assertFalse(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree(
        "{\"objects\":[{\"type\":\"gltf\",\"file\":\"s3://bkt/a.glb\"},{\"type\":\"mesh\",\"file\":\"data:x;base64,AA\"}]}")));
    assertFalse(RenderCommand.referencesRelativeFiles(Json.MAPPER.readTree("{\"objects\":[{\"type\":\"sphere\"}]}")));
  }
}
