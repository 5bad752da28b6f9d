package dev.tilefarm.schemas;

import java.util.ArrayList;
import java.util.List;

/**
 * How a process job's op chain runs over tiles: the image size after each op, the passes, and the region of
 * each intermediate image a tile needs. Pure arithmetic, shared by the splitter (what to plan), the workers
 * (what to compute) and the compositor (what comes next), so that they agree by construction.
 *
 * <p>Passes: every {@link ImageOp.WholeImage} op needs statistics of the whole image at its input, so the
 * chain runs in {@code wholeImageOps + 1} passes. Pass {@code k < passes - 1} gathers, tile by tile over the
 * image at the input of the k-th whole-image op, that op's partial statistics; the compositor merges them
 * and starts the next pass. The last pass makes the output tiles, applying every whole-image op with its
 * merged statistics. Each pass's tiles are a grid of the job's tile size over its image.
 *
 * <p>Regions: a tile's output box is traced back through the ops ({@link #needs}); each op says which box
 * of its input it needs for a box of its output. Local ops grow the box by their halo (clipped to the image,
 * where OpenCV's border handling then matches the whole image's), geometry ops map it, and the worker
 * computes each op on exactly the box it needs, in absolute coordinates.
 */
public final class ChainPlan {
  /** A rectangle of an image: [x, x + width) x [y, y + height). */
  public record Box(int x, int y, int width, int height) {
    public Box {
      if (width < 0 || height < 0) {
        throw new IllegalArgumentException("negative box " + width + "x" + height);
      }
    }

    public static Box of(TileRect t) {
      return new Box(t.x(), t.y(), t.width(), t.height());
    }

    public int right() {
      return x + width;
    }

    public int bottom() {
      return y + height;
    }

    public Box grow(int by, int imageWidth, int imageHeight) {
      int x0 = Math.max(0, x - by);
      int y0 = Math.max(0, y - by);
      int x1 = (int) Math.min(imageWidth, (long) right() + by);
      int y1 = (int) Math.min(imageHeight, (long) bottom() + by);
      return new Box(x0, y0, x1 - x0, y1 - y0);
    }

    public boolean contains(Box o) {
      return o.x >= x && o.y >= y && o.right() <= right() && o.bottom() <= bottom();
    }

    public boolean intersects(Box o) {
      return o.x < right() && x < o.right() && o.y < bottom() && y < o.bottom();
    }

    public Box union(Box o) {
      int x0 = Math.min(x, o.x);
      int y0 = Math.min(y, o.y);
      return new Box(x0, y0, Math.max(right(), o.right()) - x0, Math.max(bottom(), o.bottom()) - y0);
    }
  }

  private final List<ImageOp> ops;
  private final int[] widths;
  private final int[] heights;
  private final List<Integer> wholeImage = new ArrayList<>();
  private final int tileSize;

  /**
   * @param tileSize the side of every pass's tiles
   * @throws IllegalArgumentException naming the op ({@code ops[i]: ...}) when the chain does not fit the
   *     image, e.g. a crop outside it
   */
  public ChainPlan(List<ImageOp> ops, int inputWidth, int inputHeight, int tileSize) {
    this.ops = List.copyOf(ops);
    this.tileSize = tileSize;
    widths = new int[ops.size() + 1];
    heights = new int[ops.size() + 1];
    widths[0] = inputWidth;
    heights[0] = inputHeight;
    for (int i = 0; i < ops.size(); i++) {
      ImageOp op = ops.get(i);
      int w = widths[i];
      int h = heights[i];
      if (op instanceof ImageOp.Crop c && ((long) c.x() + c.width() > w || (long) c.y() + c.height() > h)) {
        throw new IllegalArgumentException("ops[" + i + "]: the crop " + c.width() + "x" + c.height() + " at " + c.x()
            + "," + c.y() + " reaches outside the " + w + "x" + h + " image it is given");
      }
      if (op instanceof ImageOp.Geometry g) {
        widths[i + 1] = g.outputWidth(w, h);
        heights[i + 1] = g.outputHeight(w, h);
        if (widths[i + 1] > JobRequest.MAX_SIDE || heights[i + 1] > JobRequest.MAX_SIDE) {
          throw new IllegalArgumentException("ops[" + i + "]: the result would be " + widths[i + 1] + "x"
              + heights[i + 1] + ", above " + JobRequest.MAX_SIDE + " on a side");
        }
      } else {
        widths[i + 1] = w;
        heights[i + 1] = h;
      }
      if (op instanceof ImageOp.WholeImage) {
        wholeImage.add(i);
      }
      if (op instanceof ImageOp.Geometry) {
        for (int a = 0; a < i; a++) {
          if (ops.get(a) instanceof ImageOp.Analysis) {
            // A tile reports the analysis of the pixels it owns; a later geometry op would make its pixels
            // come from anywhere in the earlier image, so there would be no such partition to count over.
            throw new IllegalArgumentException("ops[" + a + "]: " + ops.get(a).name()
                + " must come after the geometry ops (ops[" + i + "] is " + op.name() + "); move it to the end");
          }
        }
      }
    }
  }

  public List<ImageOp> ops() {
    return ops;
  }

  public int tileSize() {
    return tileSize;
  }

  /** Width of the image at the input of op {@code i} ({@code i = ops().size()}: the output). */
  public int width(int i) {
    return widths[i];
  }

  public int height(int i) {
    return heights[i];
  }

  public int outputWidth() {
    return widths[ops.size()];
  }

  public int outputHeight() {
    return heights[ops.size()];
  }

  /** Number of passes: one more than the whole-image ops. */
  public int passes() {
    return wholeImage.size() + 1;
  }

  /** The index in the chain of the whole-image op that pass {@code pass} gathers statistics for. */
  public int statsOp(int pass) {
    return wholeImage.get(pass);
  }

  /** Pass of the whole-image op at chain index {@code op}. */
  public int passOf(int op) {
    return wholeImage.indexOf(op);
  }

  /** Chain index of the last op a pass computes pixels for: the stats op (exclusive), or the whole chain. */
  public int endOf(int pass) {
    return pass == passes() - 1 ? ops.size() : statsOp(pass);
  }

  /** The tiles of a pass: a grid over the image at the stats op's input, or over the output. */
  public List<TileRect> tiles(int pass) {
    int end = endOf(pass);
    return grid(widths[end], heights[end], tileSize);
  }

  /** Row-major tiles of side {@code tile}; the last column and row are narrower where the size does not divide. */
  public static List<TileRect> grid(int width, int height, int tile) {
    List<TileRect> out = new ArrayList<>();
    for (int y = 0; y < height; y += tile) {
      for (int x = 0; x < width; x += tile) {
        out.add(new TileRect(out.size(), x, y, Math.min(tile, width - x), Math.min(tile, height - y)));
      }
    }
    return out;
  }

  /**
   * The box of each intermediate image needed to compute {@code box} of the image at the input of op
   * {@code end}: element {@code i} is the box of op {@code i}'s input, element {@code end} is {@code box}.
   */
  public Box[] needs(int end, Box box) {
    Box[] need = new Box[end + 1];
    need[end] = box;
    for (int i = end - 1; i >= 0; i--) {
      need[i] = inputBox(i, need[i + 1]);
    }
    return need;
  }

  /** The box of op {@code i}'s input that its output {@code out} depends on. */
  public Box inputBox(int i, Box out) {
    ImageOp op = ops.get(i);
    int w = widths[i];
    int h = heights[i];
    return switch (op) {
      case ImageOp.Flip f -> {
        int x = f.axis() == ImageOp.Axis.VERTICAL ? out.x() : w - out.right();
        int y = f.axis() == ImageOp.Axis.HORIZONTAL ? out.y() : h - out.bottom();
        yield new Box(x, y, out.width(), out.height());
      }
      // Clockwise by 90: input (x, y) lands at (h - 1 - y, x).
      case ImageOp.Rotate r -> switch (r.degrees()) {
        case 90 -> new Box(out.y(), h - out.right(), out.height(), out.width());
        case 180 -> new Box(w - out.right(), h - out.bottom(), out.width(), out.height());
        default -> new Box(w - out.bottom(), out.x(), out.height(), out.width());
      };
      case ImageOp.Crop c -> new Box(out.x() + c.x(), out.y() + c.y(), out.width(), out.height());
      case ImageOp.Resize r -> {
        int[] xs = resizeSpan(r, out.x(), out.right(), w, r.scaleX(w));
        int[] ys = resizeSpan(r, out.y(), out.bottom(), h, r.scaleY(h));
        yield new Box(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
      }
      case ImageOp.Canny c when passOf(i) >= 0 -> {
        // Drawing needs the edge labels of every tile of the statistics pass that the box touches.
        Box union = null;
        for (TileRect t : grid(w, h, tileSize)) {
          Box b = Box.of(t);
          if (b.intersects(out)) {
            union = union == null ? b : union.union(b);
          }
        }
        yield union.grow(c.candidateHalo(), w, h);
      }
      case ImageOp.Local local -> out.grow(op.halo(), w, h);
      case ImageOp.WholeImage whole -> out.grow(op.halo(), w, h);
      case ImageOp.Analysis analysis -> out.grow(op.halo(), w, h);
    };
  }

  /** Source columns [from, to) that output columns [x0, x1) of a resize read, with a pixel to spare each side. */
  private static int[] resizeSpan(ImageOp.Resize r, int x0, int x1, int size, double inverseScale) {
    double scale = 1 / inverseScale;
    double first = (x0 + 0.5) * scale - 0.5;
    double last = (x1 - 1 + 0.5) * scale - 0.5;
    if (r.interpolation() == ImageOp.Interpolation.NEAREST) {
      first = x0 * scale;
      last = (x1 - 1) * scale;
    }
    int from = Math.max(0, (int) Math.floor(first) - 1);
    int to = Math.min(size, (int) Math.floor(last) + 3);
    return new int[] {Math.min(from, size - 1), Math.max(to, Math.min(from, size - 1) + 1)};
  }
}
