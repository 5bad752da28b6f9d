package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tilefarm.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a scene needs, found by following its references from the file to render: a glTF's buffers and
 * images, an OBJ's MTL files and their maps, a builtin JSON scene's {@code file} fields (and what the models
 * they name need in turn), a POV-Ray scene's {@code #include}s (recursively) and the files its string literals
 * name (image maps, height fields, fonts, data files). Only these are uploaded, never the rest of the folder.
 *
 * <p>Every file must lie under the scene's {@link #root()} (the main file's folder): the farm unpacks the
 * upload into a folder of its own, so a reference that climbs out of it could not be found there. A
 * reference that names no file is a {@link Main.UsageException} naming it and the file that refers to it.
 */
final class SceneFiles {
  /**
   * POV-Ray's standard include folder (Debian's {@code povray-includes}); the workers have it, so it is not
   * uploaded.
   */
  static final Path POVRAY_INCLUDES = Path.of("/usr/share/povray-3.7/include");

  private final Path root;
  private final Path main;
  private final TreeSet<Path> files = new TreeSet<>();
  private final List<String> warnings = new ArrayList<>();
  private final Deque<Path> pending = new ArrayDeque<>();
  private final Path povrayIncludes;

  private SceneFiles(Path main, Path povrayIncludes) {
    this.main = main.toAbsolutePath().normalize();
    this.root = this.main.getParent();
    this.povrayIncludes = povrayIncludes;
  }

  /** The files {@code main} needs, itself included, found by following its references. */
  static SceneFiles of(Path main) throws Main.UsageException, IOException {
    return of(main, POVRAY_INCLUDES);
  }

  static SceneFiles of(Path main, Path povrayIncludes) throws Main.UsageException, IOException {
    SceneFiles s = new SceneFiles(main, povrayIncludes);
    if (!Files.isRegularFile(s.main)) {
      throw new Main.UsageException(main + ": no such file");
    }
    s.files.add(s.main);
    s.pending.add(s.main);
    while (!s.pending.isEmpty()) {
      s.follow(s.pending.poll());
    }
    return s;
  }

  /** Where Blender is looked for: the program workers run, as Debian installs it. */
  static final Path BLENDER = Path.of("/usr/bin/blender");

  /**
   * A Blender file's linked files (images, libraries, sounds, caches), as Blender itself lists them
   * ({@code bpy.utils.blend_paths}, packed files left out), or null when Blender is not installed here; the
   * file is opened with its scripts disabled. Linked files must lie under the file's folder.
   */
  static SceneFiles blend(Path main, Path blender) throws Main.UsageException, IOException, InterruptedException {
    if (blender == null || !Files.isExecutable(blender)) {
      return null;
    }
    SceneFiles s = new SceneFiles(main, null);
    if (!Files.isRegularFile(s.main)) {
      throw new Main.UsageException(main + ": no such file");
    }
    s.files.add(s.main);
    String marker = "TILEFARM-PATH:";
    Process p = new ProcessBuilder(blender.toString(), "-b", "--factory-startup", "--disable-autoexec",
        s.main.toString(), "--python-expr", "import bpy\nfor p in bpy.utils.blend_paths(absolute=True):\n"
        + "    print('" + marker + "' + p, flush=True)\n")
        .redirectErrorStream(true).start();
    List<String> paths = new ArrayList<>();
    StringBuilder log = new StringBuilder();
    try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith(marker)) {
          paths.add(line.substring(marker.length()));
        } else if (log.length() < 4000) {
          log.append(line).append('\n');
        }
      }
    }
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("Blender took more than 60 s to list the files of " + main);
    }
    if (p.exitValue() != 0) {
      throw new Main.UsageException(main + ": Blender could not read it (exit " + p.exitValue() + "): "
          + log.toString().strip());
    }
    for (String path : paths) {
      Path f = Path.of(path).toAbsolutePath().normalize();
      if (!f.startsWith(s.root)) {
        throw new Main.UsageException(main + ": links " + f + ", which lies outside its folder " + s.root
            + "; only files under it go to the farm: move it there and make the path relative (File > External"
            + " Data > Make Paths Relative)");
      }
      String name = f.getFileName().toString();
      if (name.contains("<UDIM>") || name.contains("<UVTILE>") || name.contains("#")) {
        // An image sequence or tiled texture: every file of the pattern.
        Pattern pattern = Pattern.compile(Pattern.quote(name).replace("<UDIM>", "\\E\\d{4}\\Q")
            .replace("<UVTILE>", "\\Eu\\d+_v\\d+\\Q").replaceAll("#+", "\\\\E\\\\d+\\\\Q"));
        try (var list = Files.list(f.getParent())) {
          list.filter(c -> pattern.matcher(c.getFileName().toString()).matches()).forEach(s.files::add);
        } catch (IOException e) {
          // no folder: reported below as missing
        }
        continue;
      }
      if (!Files.isRegularFile(f)) {
        throw new Main.UsageException(main + ": links " + f + ", which does not exist");
      }
      s.files.add(f);
    }
    return s;
  }

  /** The folder the upload is relative to: the main file's. */
  Path root() {
    return root;
  }

  Path main() {
    return main;
  }

  /** Every file to upload, absolute, sorted; the main file among them. */
  Set<Path> files() {
    return files;
  }

  /** Things the user should know (a POV-Ray include assumed to be a standard one, and the like). */
  List<String> warnings() {
    return warnings;
  }

  long bytes() throws IOException {
    long n = 0;
    for (Path f : files) {
      n += Files.size(f);
    }
    return n;
  }

  private void follow(Path file) throws Main.UsageException, IOException {
    switch (extension(file)) {
      case "gltf" -> gltf(file, Json.MAPPER.readTree(file.toFile()));
      case "glb" -> {
        JsonNode json = glbJson(file);
        if (json != null) {
          gltf(file, json);
        }
      }
      case "obj" -> obj(file);
      case "mtl" -> mtl(file);
      case "json" -> builtinScene(file, Json.MAPPER.readTree(file.toFile()));
      case "pov", "inc", "mcr" -> pov(file);
      default -> { }
    }
  }

  /** A glTF's external buffers and images ({@code data:} URIs are inline). */
  private void gltf(Path file, JsonNode json) throws Main.UsageException {
    for (String array : List.of("buffers", "images")) {
      JsonNode items = json.path(array);
      for (int i = 0; i < items.size(); i++) {
        JsonNode uri = items.get(i).get("uri");
        if (uri != null && uri.isTextual() && !uri.asText().startsWith("data:")) {
          add(file, percentDecode(uri.asText()), array + "[" + i + "].uri");
        }
      }
    }
  }

  /** The JSON chunk of a binary glTF, or null if the file is not one (the worker will say so). */
  static JsonNode glbJson(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    if (b.length < 20 || buf.getInt(0) != 0x46546C67) {
      return null;
    }
    int length = buf.getInt(12);
    if (buf.getInt(16) != 0x4E4F534A || length < 0 || 20L + length > b.length) {
      return null;
    }
    return Json.MAPPER.readTree(new String(b, 20, length, StandardCharsets.UTF_8));
  }

  private static final Pattern MTLLIB = Pattern.compile("^\\s*mtllib\\s+(.+?)\\s*$");

  /** An OBJ's {@code mtllib} files (several names may follow one {@code mtllib}). */
  private void obj(Path file) throws Main.UsageException, IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
      Matcher m = MTLLIB.matcher(line);
      if (m.matches()) {
        for (String name : m.group(1).split("\\s+")) {
          add(file, name, "mtllib");
        }
      }
    }
  }

  /** MTL statements that name a texture map. */
  private static final Set<String> MAPS = Set.of("map_ka", "map_kd", "map_ks", "map_ns", "map_d", "map_tr",
      "map_bump", "bump", "disp", "decal", "norm", "refl", "map_ke", "map_pr", "map_pm", "map_ps", "map_norm",
      "map_refl", "map_disp", "map_aat");
  /** Options of a map statement and how many values each takes at most. */
  private static final java.util.Map<String, Integer> MAP_OPTIONS = java.util.Map.ofEntries(
      java.util.Map.entry("-blendu", 1), java.util.Map.entry("-blendv", 1), java.util.Map.entry("-boost", 1),
      java.util.Map.entry("-mm", 2), java.util.Map.entry("-o", 3), java.util.Map.entry("-s", 3),
      java.util.Map.entry("-t", 3), java.util.Map.entry("-texres", 1), java.util.Map.entry("-clamp", 1),
      java.util.Map.entry("-bm", 1), java.util.Map.entry("-imfchan", 1), java.util.Map.entry("-type", 1),
      java.util.Map.entry("-cc", 1));

  private void mtl(Path file) throws Main.UsageException, IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
      String[] t = line.strip().split("\\s+");
      if (t.length < 2 || !MAPS.contains(t[0].toLowerCase(Locale.ROOT))) {
        continue;
      }
      String name = mapFileName(t);
      if (name != null) {
        add(file, name, t[0]);
      }
    }
  }

  /** The file name of a map statement: what follows its options ({@code map_Kd -s 2 2 1 wood.png}). */
  static String mapFileName(String[] tokens) {
    int i = 1;
    while (i < tokens.length && MAP_OPTIONS.containsKey(tokens[i].toLowerCase(Locale.ROOT))) {
      int max = MAP_OPTIONS.get(tokens[i].toLowerCase(Locale.ROOT));
      i++;
      // Options take up to `max` values; values are numbers or on/off (and a name for -imfchan/-type).
      for (int v = 0; v < max && i < tokens.length - 1; v++) {
        if (max > 1 && !tokens[i].matches("[-+]?[0-9.]+(e[-+]?\\d+)?")) {
          break;
        }
        i++;
      }
    }
    return i < tokens.length ? String.join(" ", java.util.Arrays.asList(tokens).subList(i, tokens.length)) : null;
  }

  /** A builtin JSON scene's relative {@code file} fields: textures, models, environment maps. */
  private void builtinScene(Path file, JsonNode scene) throws Main.UsageException {
    JsonNode s = scene.has("type") && scene.has("scene") ? scene.get("scene") : scene;
    List<String> refs = new ArrayList<>();
    relativeFiles(s, refs);
    for (String ref : refs) {
      add(file, ref, "file");
    }
  }

  static void relativeFiles(JsonNode node, List<String> out) {
    if (node.isObject()) {
      JsonNode file = node.get("file");
      if (file != null && file.isTextual() && !file.asText().startsWith("s3://")
          && !file.asText().startsWith("data:")) {
        out.add(file.asText());
      }
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        relativeFiles(child, out);
      }
    }
  }

  /** {@code #include "x"}: the string literal that follows. */
  private static final Pattern POV_INCLUDE = Pattern.compile("#\\s*include\\s+\"([^\"]*)\"");
  /** An image or font type keyword before a file name: {@code image_map { png "wood.png" }}, {@code ttf "a.ttf"}. */
  private static final Pattern POV_READ = Pattern.compile(
      "\\b(?:png|jpeg|jpg|gif|tga|iff|ppm|pgm|sys|tiff|exr|hdr|bmp|ttf|df3|funct)\\s+\"([^\"]*)\"");
  private static final Pattern POV_STRING = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

  /**
   * A POV-Ray file's includes and the files it reads. POV-Ray looks a file up in the scene's folder and its
   * library paths, not beside the including file; files found in the standard include folder are on every
   * worker and are not uploaded. An include or image named by a literal that names no file is an error; any
   * other string literal that names a file in the scene's folder (a {@code #fopen}, a file name built with a
   * {@code #declare}) is uploaded too, since which strings POV-Ray will open cannot be known without running it.
   */
  private void pov(Path file) throws Main.UsageException, IOException {
    String text = stripPovComments(Files.readString(file, StandardCharsets.ISO_8859_1));
    Set<String> required = new TreeSet<>();
    Matcher inc = POV_INCLUDE.matcher(text);
    while (inc.find()) {
      required.add(inc.group(1));
    }
    Matcher read = POV_READ.matcher(text);
    while (read.find()) {
      required.add(read.group(1));
    }
    for (String name : required) {
      Path found = povFind(name);
      if (found == null) {
        if (povrayIncludes != null && Files.isDirectory(povrayIncludes)) {
          throw new Main.UsageException(file + ": \"" + name + "\" is neither in the scene's folder " + root
              + " nor among POV-Ray's standard includes (" + povrayIncludes + ")");
        }
        warnings.add(file.getFileName() + ": \"" + name + "\" is not in the scene's folder; taken to be one of "
            + "POV-Ray's standard includes, which the workers have (POV-Ray is not installed here to check)");
        continue;
      }
      if (!found.startsWith(root)) {
        continue; // a standard include
      }
      addFound(found);
    }
    Matcher str = POV_STRING.matcher(text);
    while (str.find()) {
      String name = str.group(1);
      if (name.isEmpty() || name.contains("\\") || required.contains(name)) {
        continue;
      }
      Path p = inside(root, name);
      if (p != null && Files.isRegularFile(p)) {
        addFound(p);
      }
    }
  }

  private Path povFind(String name) {
    for (Path dir : List.of(root)) {
      Path p = inside(dir, name);
      if (p != null && Files.isRegularFile(p)) {
        return p;
      }
    }
    if (povrayIncludes != null) {
      Path p = povrayIncludes.resolve(name).normalize();
      if (p.startsWith(povrayIncludes) && Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** POV-Ray's comments: {@code //} to the end of the line, {@code /* *}{@code /} (nested); strings kept. */
  static String stripPovComments(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int depth = 0;
    boolean string = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
      if (depth > 0) {
        if (c == '*' && next == '/') {
          depth--;
          i++;
        } else if (c == '/' && next == '*') {
          depth++;
          i++;
        } else if (c == '\n') {
          out.append('\n');
        }
      } else if (string) {
        out.append(c);
        if (c == '\\' && next != 0) {
          out.append(next);
          i++;
        } else if (c == '"' || c == '\n') {
          string = false;
        }
      } else if (c == '"') {
        string = true;
        out.append(c);
      } else if (c == '/' && next == '/') {
        while (i < s.length() && s.charAt(i) != '\n') {
          i++;
        }
        out.append('\n');
      } else if (c == '/' && next == '*') {
        depth = 1;
        i++;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A file a reference names, resolved against the referring file's folder; must exist and lie under the root. */
  private void add(Path from, String ref, String field) throws Main.UsageException {
    if (ref.isBlank()) {
      return;
    }
    Path p = from.getParent().resolve(ref).normalize();
    if (!p.startsWith(root)) {
      throw new Main.UsageException(from + ": " + field + " \"" + ref + "\" lies outside the scene's folder " + root
          + "; only files under it go to the farm: move it there");
    }
    if (!Files.isRegularFile(p)) {
      throw new Main.UsageException(from + ": " + field + " \"" + ref + "\" names no file (" + p + ")");
    }
    addFound(p);
  }

  private void addFound(Path p) {
    if (files.add(p)) {
      pending.add(p);
    }
  }

  /** {@code dir/name} if it stays inside {@code dir}, else null. */
  private static Path inside(Path dir, String name) {
    try {
      Path p = dir.resolve(name).normalize();
      return p.startsWith(dir) ? p : null;
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  /** A URI reference's percent escapes decoded ({@code my%20wood.png}); '+' stays '+', as in a URI path. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()
          && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static String extension(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
