package dev.tilefarm.worker.render.path;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.store.TileImage;

/**
 * The builtin renderer: a physically based path tracer over spheres and planes with diffuse and emissive
 * materials, a pinhole camera and a uniform sky. Prepared once per job, then renders any tile of it;
 * thread-safe.
 *
 * <p>A pixel's value is the mean radiance of {@code samples} paths through uniformly jittered points of the
 * pixel (a box filter), summed in sample order, then tone mapped with the ACES filmic curve and
 * sRGB-encoded ({@link ToneMap}). Every random value is a hash of (seed, absolute pixel x, y, sample index,
 * dimension), and all transcendental functions are {@link StrictMath}'s, so a job's pixels are
 * byte-identical for any tiling, thread, worker or JVM.
 */
public final class PathTracer {
  private final Camera camera;
  private final Integrator integrator;
  private final int samples;
  private final long seed;

  PathTracer(Camera camera, Integrator integrator, int samples, long seed) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + samples);
    }
    this.camera = camera;
    this.integrator = integrator;
    this.samples = samples;
    this.seed = seed;
  }

  /** Converts the scene of a job rendering a {@code width x height} image. */
  public static PathTracer prepare(SceneSpec.Builtin scene, int width, int height, int samples, long seed) {
    return new PathTracer(SceneLoader.camera(scene.camera(), width, height),
        new PathIntegrator(SceneLoader.scene(scene), scene.maxDepth()), samples, seed);
  }

  /** The RGB pixels of {@code tile}, given in the job's absolute image coordinates. */
  public TileImage render(TileRect tile) {
    byte[] rgb = new byte[tile.width() * tile.height() * 3];
    Sampler sampler = new HashSampler(seed);
    int i = 0;
    for (int y = tile.y(); y < tile.y() + tile.height(); y++) {
      for (int x = tile.x(); x < tile.x() + tile.width(); x++) {
        Rgb l = pixelRadiance(x, y, sampler);
        rgb[i++] = ToneMap.toByte(l.r());
        rgb[i++] = ToneMap.toByte(l.g());
        rgb[i++] = ToneMap.toByte(l.b());
      }
    }
    return new TileImage(tile.width(), tile.height(), 3, rgb);
  }

  /** The mean linear radiance of pixel (x, y), before tone mapping. */
  Rgb pixelRadiance(int x, int y, Sampler sampler) {
    double r = 0;
    double g = 0;
    double b = 0;
    for (int s = 0; s < samples; s++) {
      sampler.startPixelSample(x, y, s);
      double px = x + sampler.get1D();
      double py = y + sampler.get1D();
      Rgb l = integrator.li(camera.generateRay(px, py), sampler);
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
    return pixelRadiance(x, y, new HashSampler(seed));
  }
}
