package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.Json;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Render a scene through the farm and save the image.%n"
        + "SCENE is a scene for the renderer (see examples/scenes and docs/scenes.md), a whole render job (see "
        + "examples/jobs), a glTF (.gltf, .glb) or OBJ model, a POV-Ray .pov or .ini, a Blender .blend, or a folder "
        + "holding a scene.json or one model. The files the scene references go with it (a glTF's buffers and "
        + "images, an OBJ's MTL and maps, a .pov's includes and image maps, a .blend's linked files as Blender lists "
        + "them), as one content-addressed upload under scenes/; the rest of the folder stays (--whole-folder sends "
        + "it all). A missing referenced file is exit 2, naming it.")
final class RenderCommand extends FarmCommand {
  @Mixin
  OneJob run;

  @Parameters(index = "0", paramLabel = "SCENE")
  Path scene;

  @Mixin
  RenderOptions render;

  @Mixin
  FrameOptions frames;

  @Option(names = "--ini", paramLabel = "FILE.ini",
      description = "POV-Ray settings (size, antialiasing, animation frames and clock, Declare=); by default the"
          + " .pov's same-name .ini beside it, if there is one")
  Path ini;

  @Option(names = "--whole-folder",
      description = "upload the scene's whole folder, instead of only the files the scene references")
  boolean wholeFolder;

  @Override
  public Integer call() throws Exception {
    checkOutput(run.output);
    ObjectNode job;
    Progress progress = Progress.stderr(farm.quiet);
    // What to upload once the farm is known: the scene's files (one as it is, or several packed into a zip).
    Uploads.Pack upload = null;
    boolean asAssets = false;
    boolean external = false;
    String ext = extension(scene);
    if (ini != null && !ext.equals("pov")) {
      throw new Main.UsageException("--ini " + ini + ": POV-Ray settings are for a .pov scene, not " + scene);
    }
    if (Files.isDirectory(scene)) {
      if (!Files.isRegularFile(scene.resolve("scene.json")) && models(scene).size() != 1) {
        throw new Main.UsageException(scene + ": a scene folder needs a scene.json, or exactly one .gltf, .glb or .obj"
            + " file (found " + models(scene) + ")");
      }
      job = renderJob(null);
      Path main = Files.isRegularFile(scene.resolve("scene.json")) ? scene.resolve("scene.json")
          : scene.resolve(models(scene).get(0));
      upload = wholeFolder ? Uploads.wholeFolder(scene) : Uploads.of(SceneFiles.of(main), true);
    } else if (ext.equals("gltf") || ext.equals("glb") || ext.equals("obj")) {
      if (!Files.isRegularFile(scene)) {
        throw new Main.UsageException(scene + ": no such file");
      }
      job = renderJob(null);
      upload = wholeFolder ? Uploads.wholeFolder(scene.toAbsolutePath().getParent())
          : Uploads.of(SceneFiles.of(scene), false);
      if (wholeFolder && models(scene.toAbsolutePath().getParent()).size() != 1) {
        throw new Main.UsageException(scene + ": its folder holds several models ("
            + models(scene.toAbsolutePath().getParent()) + "); without --whole-folder only the model's own files go");
      }
    } else if (ext.equals("pov") || ext.equals("ini") || ext.equals("blend")) {
      job = renderJob(null);
      job.put("renderer", (ext.equals("blend") ? Renderer.BLENDER : Renderer.POVRAY).id());
      ObjectNode sceneObject = job.putObject("scene");
      Path main = ext.equals("ini") ? povIni(scene, job, sceneObject, progress) : scene;
      if (ext.equals("pov")) {
        Path settings = ini != null ? ini : sameNameIni(scene);
        if (settings != null) {
          if (ini == null) {
            progress.note("using POV-Ray settings from " + settings + " (beside the scene)");
          }
          povIni(settings, job, sceneObject, progress);
        }
      }
      if (!Files.isRegularFile(main)) {
        throw new Main.UsageException(main + ": no such file");
      }
      sceneObject.put("main", main.getFileName().toString());
      upload = sceneFiles(main, ext.equals("blend") ? "blend" : "pov", progress);
      external = true;
    } else {
      ObjectNode file = Inputs.jsonObject(scene);
      job = file.has("type") ? file : renderJob(file);
      JsonNode inline = job.get("scene");
      if (inline != null && inline.isObject() && !inline.has("assets") && referencesRelativeFiles(inline)) {
        upload = wholeFolder ? Uploads.wholeFolder(scene.toAbsolutePath().getParent())
            : Uploads.of(SceneFiles.of(scene), true);
        asAssets = true;
      }
    }
    Uploads.Pack toUpload = upload;
    boolean assets = asAssets;
    boolean externalScene = external;
    frames.applyTo(job, run.output, external);
    render.applyTo(job);
    ObjectNode finalJob = job;
    return run.run(farm, job, f -> {
      if (toUpload != null) {
        S3Uri uri = Uploads.upload(f.blobs(), toUpload, progress);
        if (assets) {
          ((ObjectNode) finalJob.get("scene")).put("assets", uri.toString());
        } else if (externalScene) {
          ObjectNode sceneObject = (ObjectNode) finalJob.get("scene");
          sceneObject.put("file", uri.toString());
          if (!uri.key().endsWith(".zip")) {
            sceneObject.remove("main"); // the scene file alone, not an archive
          }
        } else {
          finalJob.put("scene", uri.toString());
        }
      }
    });
  }

  private static ObjectNode renderJob(ObjectNode scene) {
    ObjectNode job = Json.MAPPER.createObjectNode();
    job.put("type", "render");
    job.put("renderer", Renderer.BUILTIN.id());
    job.put("width", 640);
    job.put("height", 480);
    if (scene != null) {
      job.set("scene", scene);
    }
    return job;
  }

  private static String extension(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static List<String> models(Path dir) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).filter(f -> List.of("gltf", "glb", "obj").contains(extension(f)))
          .map(f -> f.getFileName().toString()).sorted().forEach(found::add);
    }
    return found;
  }

  /** Whether any "file" field of the scene is a relative path (neither s3:// nor data:). */
  static boolean referencesRelativeFiles(JsonNode node) {
    if (node.isObject()) {
      JsonNode file = node.get("file");
      if (file != null && file.isTextual() && !file.asText().startsWith("s3://")
          && !file.asText().startsWith("data:")) {
        return true;
      }
      for (JsonNode child : node) {
        if (referencesRelativeFiles(child)) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        if (referencesRelativeFiles(child)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The scene's own files, or with --whole-folder its folder; a Blender file's as Blender lists them. */
  private Uploads.Pack sceneFiles(Path main, String kind, Progress progress) throws Exception {
    Path folder = main.toAbsolutePath().getParent();
    if (wholeFolder) {
      return Uploads.wholeFolder(folder);
    }
    if (kind.equals("pov")) {
      SceneFiles files = SceneFiles.of(main);
      files.warnings().forEach(w -> progress.note("warning: " + w));
      return Uploads.of(files, false);
    }
    SceneFiles files = SceneFiles.blend(main, SceneFiles.BLENDER);
    if (files == null) {
      progress.note("warning: Blender is not installed here to list the files " + main.getFileName() + " links;"
          + " uploading its whole folder " + folder);
      return Uploads.wholeFolder(folder);
    }
    return Uploads.of(files, false);
  }

  /** Reads a POV-Ray INI into the job; returns the scene file it names (Input_File_Name), else the same-name .pov. */
  private static Path povIni(Path file, ObjectNode job, ObjectNode scene, Progress progress) throws Exception {
    PovIni settings = PovIni.read(file);
    settings.applyTo(job, scene);
    if (!settings.ignored().isEmpty()) {
      progress.note(file.getFileName() + ": the farm sets " + String.join(", ", settings.ignored()) + " itself");
    }
    if (settings.input() != null) {
      return settings.input();
    }
    String name = file.getFileName().toString();
    return file.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".pov");
  }

  private static Path sameNameIni(Path pov) {
    String name = pov.getFileName().toString();
    String base = name.substring(0, name.lastIndexOf('.'));
    for (String candidate : List.of(base + ".ini", base + ".INI")) {
      Path p = pov.resolveSibling(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Checks, before anything is uploaded or submitted, that {@code output} can be written: a supported image
   * extension, and a folder that exists (or can be made) and is writable.
   */
  static void checkOutput(Path output) throws Main.UsageException {
    String name = output.getFileName() == null ? "" : output.getFileName().toString();
    try {
      dev.tilefarm.schemas.ImageFormat.forExtension(extension(output));
    } catch (IllegalArgumentException e) {
      throw new Main.UsageException("-o " + output + ": " + (name.contains(".") ? e.getMessage()
          : "no extension; name the image .png or .jpg"));
    }
    Path folder = output.toAbsolutePath().getParent();
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new Main.UsageException("-o " + output + ": " + existing + " is not a folder");
    }
    try {
      // Tried, not asked (Files.isWritable): root may write anywhere by permissions, yet not in /proc.
      Files.delete(Files.createTempFile(existing, ".tilefarm-check-", ".tmp"));
    } catch (IOException | RuntimeException e) {
      throw new Main.UsageException("-o " + output + ": cannot write in " + existing
          + (existing.equals(folder) ? "" : " (to make " + folder + ")") + ": " + e.getMessage());
    }
    if (Files.isDirectory(output)) {
      throw new Main.UsageException("-o " + output + ": is a folder; give a file name such as "
          + output.resolve("image.png"));
    }
  }
}
