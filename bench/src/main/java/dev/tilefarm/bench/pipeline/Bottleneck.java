package dev.tilefarm.bench.pipeline;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a section names the measured bottleneck of an aim it did not reach, in one note ("**figure**: bottleneck:
 * ..."): the pure choices shared by the sections, from what they measured in the same run.
 */
final class Bottleneck {
  /** The machine counts as fully used from this share of its CPU time busy. */
  static final double MACHINE_BUSY = 0.9;
  /** The farm counts as fully using the machine from this share of its cores. */
  static final double FARM_BUSY = 0.85;

  private Bottleneck() {
  }

  /** The note. */
  static String note(String figure, String bottleneck) {
    return "**" + figure + "**: bottleneck: " + bottleneck;
  }

  /**
   * The machine's CPU, when that was the limit, naming who took it: other programs (this run was not on a quiet
   * machine) when the machine was nearly all busy but the farm used well under that; else the farm, when the machine
   * was nearly all busy or the farm used nearly all of it. Empty when the CPU was not the limit.
   *
   * @param machineBusy the machine's busy share over the span (NaN when unknown: then only the farm's share counts)
   * @param farmBusy the farm's processes' share of the machine's cores over the span
   * @param measured what was measured, appended after a colon
   */
  static Optional<String> cpu(double machineBusy, double farmBusy, String measured) {
    if (othersTookIt(machineBusy, farmBusy)) {
      return Optional.of("the machine's CPU, taken mostly by other programs (this run was not on a quiet machine): "
          + measured);
    }
    if (cpuBound(machineBusy, farmBusy)) {
      return Optional.of("the machine's CPU, taken by the farm: " + measured);
    }
    return Optional.empty();
  }

  /** The machine nearly all busy, the farm using well under that: other programs had the CPU. */
  static boolean othersTookIt(double machineBusy, double farmBusy) {
    return machineBusy >= MACHINE_BUSY && farmBusy < 0.7 * machineBusy;
  }

  /** The machine nearly all busy, or the farm using nearly all of it. */
  static boolean cpuBound(double machineBusy, double farmBusy) {
    return machineBusy >= MACHINE_BUSY || farmBusy >= FARM_BUSY;
  }

  /** "the machine's 2 cores were 97% busy, the farm's processes 90% (by process: broker 60%, …)". */
  static String machine(int cores, double machineBusy, double farmBusy, String by, Map<String, Double> used) {
    return machine(cores, machineBusy, farmBusy) + " (by " + by + ": " + shares(used) + ")";
  }

  /** "the machine's 2 cores were 97% busy, the farm's processes 90%". */
  static String machine(int cores, double machineBusy, double farmBusy) {
    return String.format(Locale.ROOT, "the machine's %d cores were %.0f%% busy, the farm's processes %.0f%%", cores,
        100 * machineBusy, 100 * farmBusy);
  }

  /** The most {@link #shares} names before it sums up the rest. */
  private static final int SHARES = 5;

  /**
   * "broker 75%, workers 25%": each one's share of their sum, largest first; past the fifth, "the rest N%" (when
   * that rounds above 0).
   */
  static String shares(Map<String, Double> used) {
    double total = used.values().stream().mapToDouble(Double::doubleValue).sum();
    StringBuilder sb = new StringBuilder();
    var sorted = used.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList();
    double rest = 0;
    for (int i = 0; i < sorted.size() && total > 0; i++) {
      double share = 100 * sorted.get(i).getValue() / total;
      if (i < SHARES) {
        sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f%%", sorted.get(i).getKey(),
            share));
      } else {
        rest += share;
      }
    }
    return rest >= 0.5 ? sb + String.format(Locale.ROOT, ", the rest %.0f%%", rest) : sb.toString();
  }

  /** "a 120 ms, b 80 ms", in the order given. */
  static String millis(Map<String, Double> parts) {
    StringBuilder sb = new StringBuilder();
    parts.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f ms", k, v)));
    return sb.toString();
  }

  /**
   * What other programs having the machine's CPU hid: "the machine's CPU, taken mostly by other programs (...); of the
   * farm's own parts the largest was PART: MEASURED".
   */
  static String othersBeside(String part, String measured) {
    return "the machine's CPU, taken mostly by other programs (this run was not on a quiet machine); of the farm's own "
        + "parts the largest was " + part + ": " + measured;
  }

  /** The largest of the farm's roles, leaving out what no role's thread holds ({@link JvmCpu#JVM}). */
  static String busiestRole(Map<String, Double> byRole) {
    Map<String, Double> roles = new java.util.LinkedHashMap<>(byRole);
    roles.remove(JvmCpu.JVM);
    return largest(roles);
  }

  /** The key of the largest value (the first of equals). */
  static String largest(Map<String, Double> parts) {
    return parts.entrySet().stream().reduce((a, b) -> b.getValue() > a.getValue() ? b : a).orElseThrow().getKey();
  }
}
