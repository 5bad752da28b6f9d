package dev.tilefarm.worker.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tilefarm.worker.render.path.PathTracer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreparedScenesTest {
  private final AtomicInteger prepared = new AtomicInteger();

  private PathTracer prepare() {
    prepared.incrementAndGet();
    return PathTracer.prepare(TileRendererTest.litScene(2), 10, 10, 1, 0);
  }

  @Test
  void aJobIsPreparedOnceAndTheLeastRecentlyUsedJobIsDropped() {
    PreparedScenes cache = new PreparedScenes(2);
    PreparedScenes.Key a = new PreparedScenes.Key("a", 10, 10, 1, 0);
    PreparedScenes.Key b = new PreparedScenes.Key("b", 10, 10, 1, 0);
    PreparedScenes.Key c = new PreparedScenes.Key("c", 10, 10, 1, 0);
    PathTracer first = cache.get(a, this::prepare);
    assertSame(first, cache.get(a, this::prepare));
    cache.get(b, this::prepare);
    cache.get(a, this::prepare); // a is now the most recently used
    cache.get(c, this::prepare); // so b goes
    assertEquals(3, prepared.get());
    assertEquals(2, cache.size());
    assertSame(first, cache.get(a, this::prepare));
    cache.get(b, this::prepare);
    assertEquals(4, prepared.get());
  }

  @Test
  void theSameJobWithOtherRenderParametersIsPreparedAgain() {
    PreparedScenes cache = new PreparedScenes(4);
    PathTracer one = cache.get(new PreparedScenes.Key("a", 10, 10, 1, 0), this::prepare);
    PathTracer other = cache.get(new PreparedScenes.Key("a", 10, 10, 1, 99), this::prepare);
    assertNotSame(one, other);
  }

  /** A scene over the byte budget is kept while its job needs it, and goes when its job has ended. */
  @Test
  void aSceneOverTheBudgetIsKeptForItsJobAndDroppedWhenItEnds() {
    PreparedScenes cache = new PreparedScenes(8, 1);
    PreparedScenes.Key big = new PreparedScenes.Key("big", 10, 10, 1, 0);
    PathTracer tracer = cache.get(big, this::prepare);
    assertSame(tracer, cache.get(big, this::prepare));
    assertEquals(1, prepared.get());
    cache.forget(job -> job.equals("another"));
    assertEquals(1, cache.size());
    cache.forget(job -> job.equals("big"));
    assertEquals(0, cache.size());
    assertEquals(0, cache.bytes());
  }
}
