package dev.tilefarm.schemas;

import java.util.BitSet;

/**
 * A set of tile indexes written as ascending ranges, {@code "0-4,7,9-12"} ({@code ""}: none), as job control
 * records carry the tiles a failed or cancelled job keeps for its retry: short for the usual runs of done tiles.
 */
public final class TileRanges {
  private TileRanges() {}

  /** The indexes set in {@code tiles}, as ranges. */
  public static String format(BitSet tiles) {
    StringBuilder b = new StringBuilder();
    for (int start = tiles.nextSetBit(0); start >= 0; ) {
      int end = tiles.nextClearBit(start) - 1;
      b.append(b.isEmpty() ? "" : ",").append(start);
      if (end > start) {
        b.append('-').append(end);
      }
      start = tiles.nextSetBit(end + 1);
    }
    return b.toString();
  }

  /**
   * The indexes in {@code ranges} (null or blank: none).
   *
   * @throws IllegalArgumentException naming the part that is no index or range of indexes
   */
  public static BitSet parse(String ranges) {
    BitSet out = new BitSet();
    if (ranges == null || ranges.isBlank()) {
      return out;
    }
    for (String part : ranges.split(",")) {
      int dash = part.indexOf('-');
      try {
        int from = Integer.parseInt(dash < 0 ? part.trim() : part.substring(0, dash).trim());
        int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
        if (from < 0 || to < from) {
          throw new IllegalArgumentException("'" + part + "' is not a range of tile indexes from low to high");
        }
        out.set(from, to + 1);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + part + "' is not a tile index or range of them", e);
      }
    }
    return out;
  }
}
