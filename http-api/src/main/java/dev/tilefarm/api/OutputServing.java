package dev.tilefarm.api;

import com.sun.net.httpserver.HttpExchange;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.JobOutputs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/jobs/ID/output} and {@code /output-url}: a completed job's image, only if it is the job's
 * ({@link JobOutputs}): a COMPLETED event naming another object (anyone who can write the job events topic can
 * write one) gets 403 and the reason, and an image whose bytes are not the event's sha256 gets 502. The image is
 * copied and checked before its first byte is sent, and sent with the copy's length, never the event's.
 */
final class OutputServing {
  private static final Logger log = LoggerFactory.getLogger(OutputServing.class);

  private final BlobStore blobs;
  private final JobOutputs outputs;
  private final Duration presignTtl;

  OutputServing(BlobStore blobs, java.util.List<String> outputLocations, Duration presignTtl) {
    this.blobs = blobs;
    this.outputs = new JobOutputs(blobs, outputLocations);
    this.presignTtl = presignTtl;
  }

  /** Sends the job's checked image. */
  int output(HttpExchange ex, FarmView.JobSummary job, boolean download) throws IOException {
    S3Uri uri = S3Uri.parse(job.output());
    Path copy = Files.createTempFile("tilefarm-output-", ".img");
    try {
      long length;
      try {
        length = outputs.copy(job.id(), uri, job.sha256(), copy);
      } catch (JobOutputs.RefusedException e) {
        return refuse(ex, job.id(), e);
      }
      ex.getResponseHeaders().set("Content-Type", "jpeg".equalsIgnoreCase(job.format()) || "jpg".equalsIgnoreCase(
          job.format()) ? "image/jpeg" : "image/png");
      ex.getResponseHeaders().set("ETag", "\"" + job.sha256() + "\"");
      ex.getResponseHeaders().set("Cache-Control", "private, max-age=3600");
      if (download) {
        String name = uri.key().substring(uri.key().lastIndexOf('/') + 1);
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
      }
      ex.sendResponseHeaders(200, length == 0 ? -1 : length);
      try (OutputStream out = ex.getResponseBody()) {
        Files.copy(copy, out);
      }
      return 200;
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  /** A presigned URL of the job's image, if it is the job's. */
  int outputUrl(HttpExchange ex, FarmView.JobSummary job) throws IOException {
    S3Uri uri = S3Uri.parse(job.output());
    try {
      outputs.check(job.id(), uri);
    } catch (JobOutputs.RefusedException e) {
      return refuse(ex, job.id(), e);
    }
    var url = blobs.presignGet(uri, presignTtl);
    return Routes.json(ex, 200, Map.of("url", url.toString(), "expiresAt", Instant.now().plus(presignTtl).toString()));
  }

  private static int refuse(HttpExchange ex, String jobId, JobOutputs.RefusedException e) throws IOException {
    log.warn("not serving the output of job {}: {}", jobId, e.getMessage());
    return Routes.error(ex, e.changed() ? 502 : 403, "output", "the output of job " + jobId + " is not served: "
        + e.getMessage());
  }
}
