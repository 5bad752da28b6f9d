package dev.tilefarm.store;

import dev.tilefarm.schemas.S3Uri;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Which object the farm hands out as a job's output, and a checked copy of it. A COMPLETED event names the
 * output, its sha256 and its length, but an event is only as trustworthy as whoever could write the job events
 * topic, so none of it is taken on trust:
 *
 * <ul>
 *   <li>The object must be the job's: its default output in the farm's bucket ({@code outputs/ID.png},
 *       {@code outputs/ID.EXT}, under {@code outputs/ID/}), reserved for the job by the splitter; or an object
 *       the compositor wrote for the job (its {@value #JOB_METADATA} metadata names the job) inside the farm's
 *       output locations ({@code limits.output-locations}, when set). An object another job wrote, or that no
 *       job of this farm wrote (someone's {@code s3://other-bucket/secret.png}), is refused.
 *   <li>Its bytes must have the event's sha256, checked on a copy before any byte is handed out; the length is
 *       the copy's, never the event's.
 * </ul>
 */
public final class JobOutputs {
  /** The object metadata (x-amz-meta-) naming the job that wrote an output; the compositor sets it. */
  public static final String JOB_METADATA = "tilefarm-job";
  private static final String OUTPUTS = "outputs/";

  /** Why an output is not handed out. */
  public static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean changed;

    RefusedException(String message, boolean changed) {
      super(message);
      this.changed = changed;
    }

    /**
     * True if the object is the job's but its bytes are not those of the event (a storage fault or a forged
     * event); false if the object is not the job's output at all.
     */
    public boolean changed() {
      return changed;
    }
  }

  private final BlobStore blobs;
  private final List<String> outputLocations;

  /**
   * @param outputLocations the farm's {@code limits.output-locations} ({@code bucket} or {@code bucket/prefix});
   *     empty: anywhere
   */
  public JobOutputs(BlobStore blobs, List<String> outputLocations) {
    this.blobs = blobs;
    this.outputLocations = List.copyOf(outputLocations);
  }

  /**
   * Checks that {@code output} is job {@code jobId}'s output (see the class comment).
   *
   * @throws RefusedException if it is not, or does not exist
   */
  public void check(String jobId, S3Uri output) {
    BlobStore.Head head = blobs.head(output);
    if (head == null) {
      throw new RefusedException(output + " does not exist", false);
    }
    String writer = head.metadata().get(JOB_METADATA);
    boolean reserved = reservedFor(jobId, output);
    if (writer != null && !writer.equals(jobId)) {
      throw new RefusedException(output + " was written by job " + writer + ", not by job " + jobId, false);
    }
    if (!reserved && writer == null) {
      throw new RefusedException(output + " was not written by this farm for job " + jobId, false);
    }
    if (!reserved && !JobLimits.inLocations(outputLocations, output.bucket(), output.key())) {
      throw new RefusedException(output + " is outside the farm's output locations ("
          + String.join(", ", outputLocations) + ")", false);
    }
  }

  /**
   * Copies job {@code jobId}'s output to {@code file} once it is checked to be the job's ({@link #check}) and its
   * bytes have {@code sha256}; returns the length of the copy. On a refusal the file is deleted.
   *
   * @throws RefusedException if the object is not the job's, or its bytes are not those of the event
   */
  public long copy(String jobId, S3Uri output, String sha256, Path file) throws IOException {
    check(jobId, output);
    if (sha256 == null || sha256.isBlank()) {
      throw new RefusedException("the job's COMPLETED event gives no sha256 for " + output, true);
    }
    MessageDigest digest = sha256();
    try (InputStream in = blobs.open(output);
        OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equalsIgnoreCase(sha256)) {
      Files.deleteIfExists(file);
      throw new RefusedException(output + " has sha256 " + actual + ", not the " + sha256
          + " of the job's COMPLETED event", true);
    }
    return Files.size(file);
  }

  /** Whether {@code output} is one of the keys the splitter reserves for job {@code jobId} in the farm's bucket. */
  boolean reservedFor(String jobId, S3Uri output) {
    if (!output.bucket().equals(blobs.settings().bucket()) || !output.key().startsWith(OUTPUTS)) {
      return false;
    }
    String rest = output.key().substring(OUTPUTS.length());
    return rest.startsWith(jobId + "/") || (rest.startsWith(jobId + ".") && rest.indexOf('/') < 0
        && rest.indexOf('.', jobId.length() + 1) < 0);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
