package dev.tilefarm.compositor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a set of tiles covers an image, checked before any tile is fetched: every pixel must be covered by
 * exactly one tile. The image is cut into horizontal segments within which the same tiles span every row;
 * for a regular grid a segment is one row of tiles. The assembler walks the segments top to bottom,
 * fetching a tile when its first segment starts and dropping it after its last, so memory holds one band
 * of tiles whatever the tile shapes.
 */
final class TileLayout {
  /**
   * Rows [top, bottom) of the image. {@code row} holds the tiles that cross these rows, left to right;
   * {@code starting} the ones among them whose first row is {@code top}.
   */
  record Segment(int top, int bottom, List<TilePart> row, List<TilePart> starting) {}

  private final List<Segment> segments;

  private TileLayout(List<Segment> segments) {
    this.segments = segments;
  }

  List<Segment> segments() {
    return segments;
  }

  /** The layout of {@code tiles} over a {@code width x height} image, or a failure naming the first problem. */
  static TileLayout of(String jobId, int width, int height, List<TilePart> tiles) {
    Set<Integer> indices = new HashSet<>();
    TreeSet<Integer> boundaries = new TreeSet<>(List.of(0, height));
    for (TilePart t : tiles) {
      var r = t.rect();
      if ((long) r.x() + r.width() > width || (long) r.y() + r.height() > height) {
        throw new AssemblyFailedException(jobId, r.index(), "its rectangle " + r.width() + "x" + r.height() + " at "
            + r.x() + "," + r.y() + " reaches outside the " + width + "x" + height + " image", null);
      }
      if (!indices.add(r.index())) {
        throw new AssemblyFailedException(jobId, r.index(), "it is listed twice", null);
      }
      boundaries.add(r.y());
      boundaries.add(r.y() + r.height());
    }
    List<TilePart> byTop = new ArrayList<>(tiles);
    byTop.sort(Comparator.comparingInt((TilePart t) -> t.rect().y()).thenComparingInt(t -> t.rect().x()));

    List<Segment> segments = new ArrayList<>();
    // Tiles that cross the current segment, keyed by x.
    TreeMap<Integer, TilePart> active = new TreeMap<>();
    int next = 0;
    int top = 0;
    while (top < height) {
      int y = top;
      active.values().removeIf(t -> t.rect().y() + t.rect().height() == y);
      List<TilePart> starting = new ArrayList<>();
      while (next < byTop.size() && byTop.get(next).rect().y() == y) {
        TilePart t = byTop.get(next++);
        TilePart same = active.put(t.rect().x(), t);
        if (same != null) {
          throw overlap(jobId, t, same, y);
        }
        starting.add(t);
      }
      int cursor = 0;
      TilePart left = null;
      for (Map.Entry<Integer, TilePart> e : active.entrySet()) {
        int x = e.getKey();
        if (x > cursor) {
          throw gap(jobId, cursor, y);
        }
        if (x < cursor) {
          throw overlap(jobId, e.getValue(), left, y);
        }
        left = e.getValue();
        cursor = x + left.rect().width();
      }
      if (cursor < width) {
        throw gap(jobId, cursor, y);
      }
      int bottom = boundaries.higher(y);
      segments.add(new Segment(y, bottom, List.copyOf(active.values()), List.copyOf(starting)));
      top = bottom;
    }
    return new TileLayout(List.copyOf(segments));
  }

  private static AssemblyFailedException overlap(String jobId, TilePart t, TilePart other, int y) {
    // Blame the later tile so the reason is the same whatever order the results came in.
    TilePart blamed = t.index() > other.index() ? t : other;
    TilePart kept = blamed == t ? other : t;
    return new AssemblyFailedException(jobId, blamed.index(),
        "it overlaps tile " + kept.index() + " in row " + y, null);
  }

  private static AssemblyFailedException gap(String jobId, int x, int y) {
    return new AssemblyFailedException(jobId, null, "no tile covers pixel " + x + "," + y, null);
  }
}
