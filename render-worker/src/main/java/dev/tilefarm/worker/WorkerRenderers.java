package dev.tilefarm.worker;

import dev.tilefarm.schemas.Renderer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The external renderers a worker takes tiles of ({@code worker.renderers}, {@code tilefarm worker --renderers}):
 * by default every one installed; an operator may turn some off (a machine that should not run Blender though it
 * is installed), and the bench's simulated workers turn them all off, so that each member has only the shared lane
 * (its share consumer and poll thread). The shared lane (builtin, mandelbrot, sleep, process jobs) cannot be turned
 * off. A renderer turned off is treated exactly as one not installed: no lane, not in the worker's status record
 * ({@link dev.tilefarm.worker.render.TileRenderer#unavailable(String)} gives {@link #TURNED_OFF} as the reason).
 *
 * @param taken the external renderers the worker may take, where they are installed
 * @param named whether they were named (a renderer named but not installed fails the worker's start, see
 *     {@link NotAvailableException}); false for the default, every one installed
 */
public record WorkerRenderers(Set<Renderer> taken, boolean named) {
  /** The default: every external renderer installed on the machine. */
  public static final WorkerRenderers INSTALLED = new WorkerRenderers(EnumSet.copyOf(Renderer.externals()), false);
  /** The reason a renderer turned off is unavailable, naming the option and the setting. */
  public static final String TURNED_OFF = "turned off on this worker (--renderers, worker.renderers)";
  /** What {@link #parse} accepts, for error messages and help. */
  public static final String VALID = String.join(", ", Renderer.externals().stream().map(Renderer::id).toList())
      + ", or none";

  public WorkerRenderers {
    Objects.requireNonNull(taken, "taken");
    for (Renderer r : taken) {
      if (!r.external()) {
        throw new IllegalArgumentException(shared(r));
      }
    }
    taken = taken.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(taken));
  }

  /**
   * The renderers a comma-separated {@code list} names ({@link #VALID}; {@code none}: no external renderer).
   *
   * @throws IllegalArgumentException naming the first name that is not an external renderer, and the valid ones
   */
  public static WorkerRenderers parse(String list) {
    Objects.requireNonNull(list, "list");
    List<String> names = new ArrayList<>();
    for (String name : list.split(",", -1)) {
      names.add(name.trim().toLowerCase(Locale.ROOT));
    }
    if (names.equals(List.of("none"))) {
      return new WorkerRenderers(Set.of(), true);
    }
    Set<Renderer> taken = EnumSet.noneOf(Renderer.class);
    for (String name : names) {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("'" + list + "' has an empty name (valid: " + VALID + ")");
      }
      if (name.equals("none")) {
        throw new IllegalArgumentException("none cannot be combined with renderers in '" + list + "'");
      }
      Renderer renderer = Renderer.find(name).orElseThrow(() -> new IllegalArgumentException("unknown renderer '"
          + name + "' (valid: " + VALID + ")"));
      if (!renderer.external()) {
        throw new IllegalArgumentException(shared(renderer));
      }
      taken.add(renderer);
    }
    return new WorkerRenderers(taken, true);
  }

  private static String shared(Renderer renderer) {
    return renderer.id() + " comes on the shared lane, which every worker takes: it cannot be chosen (valid: "
        + VALID + ")";
  }

  /** {@link #TURNED_OFF} if {@code renderer} is an external renderer this worker does not take, else null. */
  public String turnedOff(Renderer renderer) {
    return renderer.external() && !taken.contains(renderer) ? TURNED_OFF : null;
  }

  /** Whether {@code renderer} was named, so that its absence from the machine is an error rather than a note. */
  public boolean requires(Renderer renderer) {
    return named && taken.contains(renderer);
  }

  /** As given on the command line: the names in declaration order, {@code none}, or {@code installed}. */
  @Override
  public String toString() {
    if (!named) {
      return "installed";
    }
    List<String> ids = Renderer.externals().stream().filter(taken::contains).map(Renderer::id).toList();
    return ids.isEmpty() ? "none" : String.join(",", ids);
  }

  /** A worker was told to take a renderer's tiles that cannot run on its machine: its start fails, saying why. */
  public static final class NotAvailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NotAvailableException(Renderer renderer, String why) {
      super("--renderers (worker.renderers) names " + renderer.id() + ", which cannot run on this machine: " + why);
    }
  }
}
