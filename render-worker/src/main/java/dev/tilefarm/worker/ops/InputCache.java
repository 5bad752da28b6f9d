package dev.tilefarm.worker.ops;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobChangedException;
import dev.tilefarm.worker.TileFailedException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoded inputs of recent jobs, least recently used first out, bounded by the bytes of decoded pixels.
 * Thread-safe. When several tiles of one job miss at once, one thread fetches and decodes while the others
 * wait for its result, so an input is fetched once per worker, not once per thread.
 *
 * <p>Keyed by job and input, not by input alone: an object may be replaced between two jobs, and a later
 * job must not be served the pixels an earlier job read.
 */
final class InputCache {
  private static final Logger log = LoggerFactory.getLogger(InputCache.class);

  record Key(String jobId, S3Uri input) {}

  private final BiFunction<S3Uri, String, byte[]> fetch;
  private final long capacityBytes;
  private final Object lock = new Object();
  private final LinkedHashMap<Key, DecodedImage> lru = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Key, CompletableFuture<DecodedImage>> loading = new HashMap<>();
  private final long maxPixels;
  private long cachedBytes;

  InputCache(Function<S3Uri, byte[]> fetch, long capacityBytes) {
    this((uri, etag) -> fetch.apply(uri), capacityBytes, dev.tilefarm.worker.TileLimits.DEFAULT_MAX_PIXELS);
  }

  /** @param fetch reads an input, the version with the given ETag when that is not null */
  InputCache(BiFunction<S3Uri, String, byte[]> fetch, long capacityBytes, long maxPixels) {
    this.fetch = fetch;
    this.capacityBytes = capacityBytes;
    this.maxPixels = maxPixels;
  }

  /**
   * The decoded input of a job. Whatever {@code fetch} throws propagates unchanged, to this caller and to
   * the callers that were waiting for the same input.
   */
  DecodedImage get(String jobId, S3Uri input) throws TileFailedException {
    return get(jobId, input, null);
  }

  /**
   * The decoded input of a job, read at the version with ETag {@code etag} (null: the current one).
   *
   * @throws TileFailedException also if the input has been replaced since it had that ETag
   */
  DecodedImage get(String jobId, S3Uri input, String etag) throws TileFailedException {
    Key key = new Key(jobId, input);
    CompletableFuture<DecodedImage> mine;
    CompletableFuture<DecodedImage> theirs;
    synchronized (lock) {
      DecodedImage cached = lru.get(key);
      if (cached != null) {
        return cached;
      }
      theirs = loading.get(key);
      mine = theirs == null ? new CompletableFuture<>() : null;
      if (mine != null) {
        loading.put(key, mine);
      }
    }
    if (theirs != null) {
      return await(theirs);
    }
    try {
      byte[] bytes;
      try {
        bytes = fetch.apply(input, etag);
      } catch (BlobChangedException e) {
        throw new TileFailedException("input " + input + " changed after the job was accepted (it is no longer the "
            + "version " + etag + " whose size was checked); submit the job again", e);
      }
      if (bytes == null) {
        throw new NullPointerException("fetchInput returned null for " + input + " instead of bytes or an exception");
      }
      DecodedImage image = InputDecoder.decode(input, bytes, maxPixels);
      synchronized (lock) {
        loading.remove(key);
        admit(key, image);
      }
      mine.complete(image);
      return image;
    } catch (Throwable t) {
      // Not cached: the next tile tries again, which is right for a transient fault and harmless for others.
      synchronized (lock) {
        loading.remove(key);
      }
      mine.completeExceptionally(t);
      throw t;
    }
  }

  private void admit(Key key, DecodedImage image) {
    long bytes = image.bytes();
    log.debug("decoded {} for job {}: {}x{}x{} ({} bytes)", key.input(), key.jobId(), image.width(),
        image.height(), image.channels(), bytes);
    if (bytes > capacityBytes) {
      return;
    }
    Iterator<DecodedImage> eldest = lru.values().iterator();
    while (cachedBytes + bytes > capacityBytes && eldest.hasNext()) {
      cachedBytes -= eldest.next().bytes();
      eldest.remove();
    }
    lru.put(key, image);
    cachedBytes += bytes;
  }

  private static DecodedImage await(CompletableFuture<DecodedImage> loading) throws TileFailedException {
    try {
      return loading.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TileFailedException t) {
        throw t;
      } else if (cause instanceof RuntimeException r) {
        throw r;
      } else if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Drops the decoded inputs of the jobs {@code ended} names. */
  void forget(java.util.function.Predicate<String> ended) {
    synchronized (lock) {
      Iterator<Map.Entry<Key, DecodedImage>> it = lru.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, DecodedImage> e = it.next();
        if (ended.test(e.getKey().jobId())) {
          cachedBytes -= e.getValue().bytes();
          it.remove();
        }
      }
    }
  }

  long cachedBytes() {
    synchronized (lock) {
      return cachedBytes;
    }
  }

  int size() {
    synchronized (lock) {
      return lru.size();
    }
  }
}
