package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;

/**
 * The builtin renderer: a physically based path tracer. Prepared once per job (files read, meshes and their
 * BVHs built), then renders any tile of it; thread-safe.
 *
 * <p>A pixel's value is the mean radiance of {@code samples} paths through uniformly jittered points of the
 * pixel (a box filter), summed in sample order, scaled by the scene's exposure, then either tone mapped with
 * the ACES filmic curve and sRGB-encoded to 8 or 16 bits ({@link ToneMap}), or, for {@code linear16}, clamped
 * to [0, 1] and stored as 16-bit linear values, or kept as floats (linear, unclamped: for EXR outputs). Every
 * random value is a hash of (seed, absolute pixel x, y,
 * sample index, dimension), and all transcendental functions are {@link StrictMath}'s, so a job's pixels
 * are byte-identical for any tiling, thread, worker or JVM.
 */
public final class PathTracer {
  private final Camera camera;
  private final Integrator integrator;
  private final int samples;
  private final long seed;
  private final boolean linear16;
  private final double exposure;
  private final long bytes;

  PathTracer(Camera camera, Integrator integrator, int samples, long seed, boolean linear16, double exposure,
      long bytes) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + samples);
    }
    this.camera = camera;
    this.integrator = integrator;
    this.samples = samples;
    this.seed = seed;
    this.linear16 = linear16;
    this.exposure = exposure;
    this.bytes = bytes;
  }

  /** Prepares a scene that references no files. */
  public static PathTracer prepare(SceneSpec.Builtin scene, int width, int height, int samples, long seed) {
    return prepare(scene, width, height, samples, seed, SceneAssets.NONE);
  }

  /**
   * Reads the scene's files from {@code assets} and builds the scene of a job rendering a
   * {@code width x height} image.
   *
   * @throws SceneAssetException if a file is missing, malformed or uses an unsupported feature
   */
  public static PathTracer prepare(SceneSpec.Builtin scene, int width, int height, int samples, long seed,
      SceneAssets assets) {
    return prepare(scene, width, height, samples, seed, assets, SceneLoader.DEFAULT_MAX_TEXTURE_PIXELS);
  }

  /**
   * As {@link #prepare(SceneSpec.Builtin, int, int, int, long, SceneAssets)}, refusing any image (texture,
   * glTF image, OBJ map, environment map) whose header declares more than {@code maxTexturePixels} pixels,
   * before decoding it.
   */
  public static PathTracer prepare(SceneSpec.Builtin scene, int width, int height, int samples, long seed,
      SceneAssets assets, long maxTexturePixels) {
    return prepare(scene, width, height, samples, seed, assets, maxTexturePixels, null);
  }

  /**
   * As {@link #prepare(SceneSpec.Builtin, int, int, int, long, SceneAssets, long)}, at frame {@code frame} of an
   * animation (null: a job without frames): glTF animations at {@code frame / fps} seconds, the camera on its keys.
   */
  public static PathTracer prepare(SceneSpec.Builtin scene, int width, int height, int samples, long seed,
      SceneAssets assets, long maxTexturePixels, Integer frame) {
    SceneLoader.Loaded loaded = SceneLoader.load(scene, assets, width, height, maxTexturePixels, frame);
    return new PathTracer(loaded.camera(), new PathIntegrator(loaded.scene(), scene.maxDepth()), samples, seed,
        scene.linear16(), scene.exposure(), loaded.bytes());
  }

  /** Roughly the memory the prepared scene holds (geometry, BVHs, textures), for bounding a cache of them. */
  public long bytes() {
    return bytes;
  }

  /** The RGB pixels of {@code tile}, given in the job's absolute image coordinates, for an 8-bit job. */
  public TileImage render(TileRect tile) {
    return render(tile, 8);
  }

  /**
   * The RGB pixels of {@code tile} for a job of {@code bitDepth} bits a sample (see
   * {@code JobRequest.Render#bitDepth}): 8 is the scene's encoding (tone-mapped 8-bit sRGB, or 16-bit linear
   * for {@code linear16}); 16 is the tone-mapped sRGB at 16 bits (or 16-bit linear for {@code linear16}); 32 is
   * the linear radiance times exposure as floats. The 8 and 16-bit tone-mapped values round the same number, so
   * an 8-bit sample is the 16-bit one scaled by 255/65535, to within rounding.
   */
  public TileImage render(TileRect tile, int bitDepth) {
    if (bitDepth == TileImage.FLOAT) {
      return renderFloat(tile);
    }
    if (bitDepth == 16 && !linear16) {
      return renderSrgb16(tile);
    }
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bitDepth must be 8, 16 or 32, got " + bitDepth);
    }
    int bytesPerSample = linear16 ? 2 : 1;
    byte[] out = new byte[tile.width() * tile.height() * 3 * bytesPerSample];
    trace(tile, (pixel, l) -> {
      int i = pixel * 3 * bytesPerSample;
      if (linear16) {
        i = put16(out, i, l.r());
        i = put16(out, i, l.g());
        put16(out, i, l.b());
      } else {
        out[i] = ToneMap.toByte(l.r());
        out[i + 1] = ToneMap.toByte(l.g());
        out[i + 2] = ToneMap.toByte(l.b());
      }
    });
    return new TileImage(tile.width(), tile.height(), 3, linear16 ? 16 : 8, out);
  }

  private TileImage renderSrgb16(TileRect tile) {
    byte[] out = new byte[tile.width() * tile.height() * 3 * 2];
    trace(tile, (pixel, l) -> {
      int i = pixel * 3 * 2;
      i = putShort(out, i, ToneMap.toShort(l.r()));
      i = putShort(out, i, ToneMap.toShort(l.g()));
      putShort(out, i, ToneMap.toShort(l.b()));
    });
    return new TileImage(tile.width(), tile.height(), 3, 16, out);
  }

  private TileImage renderFloat(TileRect tile) {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(tile.width() * tile.height() * 3 * 4);
    trace(tile, (pixel, l) -> out.putFloat((float) l.r()).putFloat((float) l.g()).putFloat((float) l.b()));
    return new TileImage(tile.width(), tile.height(), 3, TileImage.FLOAT, out.array());
  }

  /** Receives a tile's pixels in row order: the pixel's number in the tile and its radiance times exposure. */
  private interface PixelSink {
    void put(int pixel, Rgb l);
  }

  /** Traces the pixels of {@code tile} row by row, on one sampler and scratch, into {@code sink}. */
  private void trace(TileRect tile, PixelSink sink) {
    Sampler sampler = new HashSampler(seed);
    Scratch scratch = new Scratch();
    int pixel = 0;
    for (int y = tile.y(); y < tile.y() + tile.height(); y++) {
      for (int x = tile.x(); x < tile.x() + tile.width(); x++) {
        sink.put(pixel++, pixelRadiance(x, y, sampler, scratch).times(exposure));
      }
    }
  }

  private static int putShort(byte[] out, int i, int q) {
    out[i] = (byte) (q >>> 8);
    out[i + 1] = (byte) q;
    return i + 2;
  }

  private static int put16(byte[] out, int i, double v) {
    int q = (int) (Math.max(0, Math.min(1, v)) * 65535 + 0.5);
    out[i] = (byte) (q >>> 8);
    out[i + 1] = (byte) q;
    return i + 2;
  }

  /** The mean linear radiance of pixel (x, y), before exposure and tone mapping. */
  Rgb pixelRadiance(int x, int y, Sampler sampler, Scratch scratch) {
    double r = 0;
    double g = 0;
    double b = 0;
    for (int s = 0; s < samples; s++) {
      sampler.startPixelSample(x, y, s);
      double px = x + sampler.get1D();
      double py = y + sampler.get1D();
      double lu = sampler.get1D();
      double lv = sampler.get1D();
      Rgb l = integrator.li(camera.generateRay(px, py, lu, lv), sampler, scratch);
      // A NaN or infinite sample (a degenerate hit) would poison the pixel; it is dropped, deterministically.
      if (l.isFinite()) {
        r += l.r();
        g += l.g();
        b += l.b();
      }
    }
    return new Rgb(r / samples, g / samples, b / samples);
  }

  Rgb pixelRadiance(int x, int y) {
    return pixelRadiance(x, y, new HashSampler(seed), new Scratch());
  }
}
