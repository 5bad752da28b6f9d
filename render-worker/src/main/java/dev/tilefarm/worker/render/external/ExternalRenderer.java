package dev.tilefarm.worker.render.external;

import dev.tilefarm.schemas.SceneSpec;
import dev.tilefarm.store.TileImage;
import dev.tilefarm.worker.TileFailedException;

/**
 * A renderer that runs an installed program (POV-Ray, Blender) once per tile, in a {@link Sandbox}, on a
 * scene already unpacked into a folder. Implementations beside it: {@code render.povray.PovRay},
 * {@code render.blender.Blender}. Thread-safe: each call runs its own process.
 *
 * <p>Each renders the tile's region plus an overscan margin and crops the margin off, so that antialiasing
 * and pixel filters see the same neighbourhood as in a full-frame render and tiles meet without seams.
 *
 * @param <S> the kind of scene it renders, which the caller's exhaustive switch over {@link SceneSpec} picks
 */
public interface ExternalRenderer<S extends SceneSpec> {
  /** The installed program it runs. */
  Program program();

  /** Why this renderer cannot run on this machine (program or sandbox missing), or null if it can. */
  default String unavailable() {
    return program().unavailable();
  }

  /**
   * Renders {@code request.tile()} of {@code scene} (the request's job's scene): exactly its width x height, 8-bit
   * RGB. The program's output goes to {@code request.log()} whatever happens.
   *
   * @throws TileFailedException the scene cannot be rendered (parse error, forbidden file access, time
   *     limit): every worker would fail the same way
   * @throws InterruptedException the tile was abandoned; the program has been stopped
   */
  TileImage render(S scene, RenderRequest request) throws TileFailedException, InterruptedException;
}
