package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A POV-Ray INI file, read as POV-Ray reads it (the options before its first {@code [section]}, {@code ;}
 * comments, keys in any case, {@code Include_Ini} followed, {@code +W640}-style switches on a line), and
 * turned into a render job's fields. Options that decide the image are honoured: the scene file, size,
 * antialiasing, quality, the animation's frames and clock, {@code Declare}. Options the farm decides for itself
 * (output file, display, threads, console) are listed in {@link #ignored()}. Any other option, and shell-out
 * commands, which the farm never runs, are a {@link Main.UsageException} naming the file, line and key.
 */
final class PovIni {
  /** Options about the output, the display, threads and logs, which the farm sets itself. */
  private static final Set<String> IGNORED = Set.of("output_file_name", "output_file_type", "output_to_file",
      "display", "verbose", "pause_when_done", "work_threads", "render_block_size", "render_block_step",
      "render_pattern", "bounding", "bounding_threshold", "bounding_method", "light_buffer", "vista_buffer",
      "remove_bounds", "split_unions", "draw_vistas", "preview_start_size", "preview_end_size", "display_gamma",
      "buffer_output", "buffer_size", "continue_trace", "create_ini", "test_abort", "test_abort_count",
      "all_console", "debug_console", "fatal_console", "render_console", "statistic_console", "warning_console",
      "all_file", "debug_file", "fatal_file", "render_file", "statistic_file", "warning_file", "histogram_type",
      "histogram_name", "histogram_grid_size", "video_mode", "palette", "max_image_buffer_memory",
      "high_reproducibility", "real_time_raytracing", "sampling_method", "output_file_gamma");
  /** Shell-out commands: the farm never runs a scene's commands. */
  private static final Set<String> SHELLOUTS = Set.of("pre_scene_command", "pre_frame_command",
      "post_scene_command", "post_frame_command", "user_abort_command", "fatal_error_command", "pre_scene_return",
      "pre_frame_return", "post_scene_return", "post_frame_return", "user_abort_return", "fatal_error_return");
  /** Options honoured (beside {@code Declare} and {@code Include_Ini}). */
  static final List<String> HONOURED = List.of("Input_File_Name", "Width", "Height", "Antialias",
      "Antialias_Threshold", "Antialias_Depth", "Jitter", "Quality", "Initial_Frame", "Final_Frame",
      "Initial_Clock", "Final_Clock", "Subset_Start_Frame", "Subset_End_Frame", "Frame_Step", "Cyclic_Animation",
      "Clock", "Declare", "Include_Ini", "Library_Path (the scene's own folder or POV-Ray's includes)");
  /** Short switches on an INI line, longest first, and the options they stand for. */
  private static final Map<String, String> SWITCHES = new LinkedHashMap<>();

  static {
    SWITCHES.put("KFI", "initial_frame");
    SWITCHES.put("KFF", "final_frame");
    SWITCHES.put("KI", "initial_clock");
    SWITCHES.put("KF", "final_clock");
    SWITCHES.put("KC", "cyclic_animation");
    SWITCHES.put("SF", "subset_start_frame");
    SWITCHES.put("EF", "subset_end_frame");
    SWITCHES.put("K", "clock");
    SWITCHES.put("W", "width");
    SWITCHES.put("H", "height");
    SWITCHES.put("Q", "quality");
    SWITCHES.put("R", "antialias_depth");
    SWITCHES.put("J", "jitter");
    SWITCHES.put("I", "input_file_name");
    SWITCHES.put("A", "antialias");
  }

  /** The options found, by lower-case key: the last value given wins, as in POV-Ray. */
  private final Map<String, String> values = new TreeMap<>();
  private final Map<String, Double> declare = new TreeMap<>();
  private final List<String> ignored = new ArrayList<>();
  private final Path file;

  private PovIni(Path file) {
    this.file = file;
  }

  static PovIni read(Path file) throws Main.UsageException, IOException {
    PovIni ini = new PovIni(file);
    ini.readFile(file, 0);
    return ini;
  }

  /** Reads an INI's text as if it were in {@code file} (for tests). */
  static PovIni parse(Path file, String text) throws Main.UsageException, IOException {
    PovIni ini = new PovIni(file);
    ini.readText(file, text, 0);
    return ini;
  }

  private void readFile(Path f, int depth) throws Main.UsageException, IOException {
    if (!Files.isRegularFile(f)) {
      throw new Main.UsageException(f + ": no such INI file");
    }
    readText(f, Files.readString(f, StandardCharsets.ISO_8859_1), depth);
  }

  private static final Pattern OPTION = Pattern.compile("^([A-Za-z_]+)\\s*=\\s*(.*)$");

  private void readText(Path f, String text, int depth) throws Main.UsageException, IOException {
    int n = 0;
    for (String raw : text.split("\r?\n|\r")) {
      n++;
      String line = stripComment(raw).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[")) {
        break; // POV-Ray reads a section only when the command line names it
      }
      String where = f + " line " + n;
      Matcher m = OPTION.matcher(line);
      if (m.matches()) {
        option(where, f, m.group(1), unquote(m.group(2).strip()), depth);
      } else if (line.startsWith("+") || line.startsWith("-")) {
        for (String sw : line.split("\\s+")) {
          switchOption(where, sw);
        }
      } else {
        throw new Main.UsageException(where + ": '" + line + "' is neither KEY=VALUE nor a +switch");
      }
    }
  }

  private void option(String where, Path f, String key, String value, int depth)
      throws Main.UsageException, IOException {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.equals("declare")) {
      Matcher d = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(\\S+)").matcher(value);
      if (!d.matches()) {
        throw new Main.UsageException(where + ": Declare=" + value + ": expected Declare=IDENTIFIER=NUMBER");
      }
      declare.put(d.group(1), number(where, "Declare " + d.group(1), d.group(2)));
    } else if (k.equals("include_ini")) {
      if (depth > 8) {
        throw new Main.UsageException(where + ": Include_Ini nested more than 8 deep");
      }
      readFile(f.toAbsolutePath().getParent().resolve(value), depth + 1);
    } else if (k.equals("library_path")) {
      Path p = f.toAbsolutePath().getParent().resolve(value).normalize();
      if (!p.equals(f.toAbsolutePath().getParent().normalize()) && !p.equals(SceneFiles.POVRAY_INCLUDES)) {
        throw new Main.UsageException(where + ": Library_Path=" + value + ": the farm looks files up in the scene's"
            + " folder and POV-Ray's standard includes only; put the files there");
      }
    } else if (SHELLOUTS.contains(k)) {
      throw new Main.UsageException(where + ": " + key + ": the farm never runs a scene's shell commands");
    } else if (IGNORED.contains(k)) {
      ignored.add(key);
    } else if (SWITCHES.containsValue(k) || k.equals("frame_step") || k.equals("antialias_threshold")) {
      values.put(k, value);
    } else {
      throw new Main.UsageException(where + ": " + key + " is not an option the farm can honour (it honours "
          + String.join(", ", HONOURED) + "; and ignores the output, display and console options)");
    }
  }

  private void switchOption(String where, String sw) throws Main.UsageException {
    boolean on = sw.startsWith("+");
    String body = sw.substring(1);
    for (Map.Entry<String, String> e : SWITCHES.entrySet()) {
      String s = e.getKey();
      if (body.regionMatches(true, 0, s, 0, s.length())) {
        String rest = body.substring(s.length());
        if (s.equals("A") || s.equals("J") || s.equals("KC")) {
          values.put(e.getValue(), on ? "on" : "off");
          if (s.equals("A") && !rest.isEmpty()) {
            values.put("antialias_threshold", rest);
          } else if (s.equals("J") && !rest.isEmpty()) {
            break; // a jitter amount: not an option of the farm
          }
          return;
        }
        if (rest.isEmpty() || !rest.matches("[-+0-9.eE]+|.*\\.pov")) {
          continue;
        }
        values.put(e.getValue(), rest);
        return;
      }
    }
    if (body.matches("(?i)(O|F|D|V|P|WT|BS|GA|GD|GF|GR|GS|GW|X).*")) {
      ignored.add(sw);
      return;
    }
    throw new Main.UsageException(where + ": switch " + sw + " is not one the farm can honour (it honours "
        + String.join(", ", HONOURED) + ")");
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String v) {
    return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))
        ? v.substring(1, v.length() - 1) : v;
  }

  /** The scene file the INI names ({@code Input_File_Name}), resolved against its folder, or null. */
  Path input() {
    String v = values.get("input_file_name");
    return v == null ? null : file.toAbsolutePath().getParent().resolve(v);
  }

  /** Options found that the farm decides itself, as written. */
  List<String> ignored() {
    return ignored;
  }

  Map<String, Double> declarations() {
    return declare;
  }

  /**
   * POV-Ray's {@code clock_delta} for these settings: {@code (Final_Clock - Initial_Clock) / (Final_Frame -
   * Initial_Frame)} ({@code + 1} below the line for a cyclic animation), 0 for a still.
   */
  double clockDelta() throws Main.UsageException {
    int first = integer("initial_frame", 1);
    int last = integer("final_frame", 1);
    if (last <= first) {
      return 0;
    }
    return (decimal("final_clock", 1) - decimal("initial_clock", 0))
        / (last - first + (bool("cyclic_animation") ? 1 : 0));
  }

  /**
   * Sets the job's fields from the INI, with POV-Ray's defaults where it says nothing (antialiasing off,
   * jitter on when antialiasing, frames 1 to 1, clock 0 to 1). The size is set only if the INI gives it.
   *
   * @param job the render job (its {@code width}, {@code height}, {@code frame(s)})
   * @param scene the job's {@code scene} object (antialiasing, quality, clock, frame range, declarations)
   */
  void applyTo(ObjectNode job, ObjectNode scene) throws Main.UsageException {
    if (values.containsKey("width")) {
      job.put("width", integer("width", 0));
    }
    if (values.containsKey("height")) {
      job.put("height", integer("height", 0));
    }
    boolean aa = bool("antialias");
    scene.put("antialias", aa ? decimal("antialias_threshold", 0.3) : 0);
    if (aa) {
      scene.put("jitter", !values.containsKey("jitter") || bool("jitter"));
    }
    if (values.containsKey("antialias_depth")) {
      scene.put("antialiasDepth", integer("antialias_depth", 3));
    }
    if (values.containsKey("quality")) {
      scene.put("quality", integer("quality", 9));
    }
    int first = integer("initial_frame", 1);
    int last = integer("final_frame", 1);
    if (last > first) {
      scene.putArray("clock").add(decimal("initial_clock", 0)).add(decimal("final_clock", 1));
      scene.putArray("frameRange").add(first).add(last);
      if (bool("cyclic_animation")) {
        scene.put("cyclic", true);
      }
      ObjectNode frames = job.putObject("frames");
      frames.put("start", integer("subset_start_frame", first));
      frames.put("end", integer("subset_end_frame", last));
      frames.put("step", integer("frame_step", 1));
    } else if (values.containsKey("clock")) {
      double k = decimal("clock", 0);
      scene.putArray("clock").add(k).add(k);
    }
    if (!declare.isEmpty()) {
      ObjectNode d = scene.putObject("declare");
      declare.forEach(d::put);
    }
  }

  /** Whether the INI sets an animation (Final_Frame above Initial_Frame). */
  boolean animation() throws Main.UsageException {
    return integer("final_frame", 1) > integer("initial_frame", 1);
  }

  private int integer(String key, int fallback) throws Main.UsageException {
    String v = values.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new Main.UsageException(file + ": " + key + "=" + v + ": expected a whole number");
    }
  }

  private double decimal(String key, double fallback) throws Main.UsageException {
    String v = values.get(key);
    return v == null ? fallback : number(file.toString(), key, v);
  }

  private static double number(String where, String key, String v) throws Main.UsageException {
    try {
      double d = Double.parseDouble(v.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Main.UsageException(where + ": " + key + "=" + v + ": expected a number");
  }

  private boolean bool(String key) throws Main.UsageException {
    String v = values.get(key);
    if (v == null) {
      return false;
    }
    switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1":
        return true;
      case "off", "false", "no", "0":
        return false;
      default:
        throw new Main.UsageException(file + ": " + key + "=" + v + ": expected on or off");
    }
  }
}
