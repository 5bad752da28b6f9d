package dev.tilefarm.compositor;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStoreException;
import dev.tilefarm.store.TileKeys;
import dev.tilefarm.store.TilePack;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Whether a DONE tile result is the farm's own, free of Kafka. Anyone who can write the tile results topic can
 * write a result, so a result is only a claim: the compositor derives the tile's object key itself, from the job
 * id and tile index ({@link TileKeys}: the tile, the pack it is part of, or a statistics pass's partial), and
 * accepts the result only if it names that object and the sha256 it gives is that of the object's bytes (of its
 * part, for a pack). The output location never comes from a result at all (see {@link JobAggregator}).
 *
 * <p>One instance per stream task (not thread-safe): it keeps the last pack it read, since a pack's results
 * come in one after the other.
 */
final class TileCheck {
  private final String bucket;
  private final TileSource objects;
  private S3Uri lastPack;
  private byte[] lastPackBytes;

  /** @param bucket the farm's bucket, where the workers store every tile */
  TileCheck(String bucket, TileSource objects) {
    this.bucket = bucket;
    this.objects = objects;
  }

  /** The object the farm stores {@code done}'s tile in, derived from its job, tile index, part and pass. */
  S3Uri objectOf(String jobId, TileResult.Done done) {
    int index = done.tile().index();
    if (done.pass() != null) {
      return TileKeys.stats(bucket, jobId, done.pass(), index);
    }
    if (done.part() != null) {
      return TileKeys.pack(bucket, jobId, index - done.part());
    }
    return TileKeys.tile(bucket, jobId, index);
  }

  /**
   * Why {@code done} is refused (its reason for the dead-letter topic), or null if it names its tile's own
   * object and that object's sha256.
   *
   * @throws StorageUnavailableException if the object cannot be read for a reason that may pass
   */
  String refusal(String jobId, TileResult.Done done) {
    int index = done.tile().index();
    S3Uri expected = objectOf(jobId, done);
    String what = "tile " + index + " of job " + jobId;
    if (!expected.equals(done.tileUri())) {
      return what + ": the result names " + done.tileUri() + ", but the tile's object is " + expected;
    }
    if (done.sha256() == null || done.sha256().isBlank()) {
      return what + ": the result gives no sha256";
    }
    byte[] bytes;
    try {
      byte[] object = read(expected);
      bytes = done.part() == null ? object : TilePack.part(object, done.part());
    } catch (BlobNotFoundException e) {
      return what + ": " + expected + " does not exist";
    } catch (BlobStoreException e) {
      if (e.transientFault()) {
        throw new StorageUnavailableException("checking " + what + ": " + e.getMessage(), e);
      }
      return what + ": " + expected + " cannot be read: " + e.getMessage();
    } catch (IllegalArgumentException e) {
      return what + ": part " + done.part() + " of " + expected + ": " + e.getMessage();
    }
    String actual = sha256(bytes);
    if (!actual.equalsIgnoreCase(done.sha256())) {
      return what + ": the result gives sha256 " + done.sha256() + ", but " + (done.part() == null ? ""
          : "part " + done.part() + " of ") + expected + " has " + actual;
    }
    return null;
  }

  private byte[] read(S3Uri uri) {
    if (uri.equals(lastPack)) {
      return lastPackBytes;
    }
    byte[] object = objects.read(uri);
    if (uri.key().endsWith(".tfp")) {
      lastPack = uri;
      lastPackBytes = object;
    }
    return object;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
