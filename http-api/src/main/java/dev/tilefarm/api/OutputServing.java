package dev.tilefarm.api;

import com.sun.net.httpserver.HttpExchange;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.JobOutputs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/jobs/ID/output} (with {@code ?frame=N}, an animation's frame N, from its FRAME event, checked the
 * same way) and {@code /output-url}: a completed job's image, only if it is the job's
 * ({@link JobOutputs}): a COMPLETED event naming another object (anyone who can write the job events topic can
 * write one) gets 403 and the reason, and an image whose bytes are not the event's sha256 gets 502. The image is
 * copied and checked before its first byte is sent, and sent with the copy's length, never the event's. A job
 * with several COMPLETED events (forged ones beside the farm's own, before or after it) is served from the
 * newest that passes; it is refused only if none does.
 */
final class OutputServing {
  private static final Logger log = LoggerFactory.getLogger(OutputServing.class);

  private final BlobStore blobs;
  private final JobOutputs outputs;
  private final Duration presignTtl;

  OutputServing(BlobStore blobs, List<String> outputLocations, Duration presignTtl) {
    this.blobs = blobs;
    this.outputs = new JobOutputs(blobs, outputLocations);
    this.presignTtl = presignTtl;
  }

  /** The MIME type of a completed job's image: its format's, else its output extension's, else a byte stream. */
  static String contentType(JobEvent.Completed c) {
    return contentType(c.format(), c.output());
  }

  /** The MIME type of an image of {@code format} at {@code uri}: the format's, else the extension's, else bytes. */
  static String contentType(String format, S3Uri uri) {
    for (String name : new String[] {format, uri.extension()}) {
      if (name == null) {
        continue;
      }
      for (dev.tilefarm.schemas.ImageFormat f : dev.tilefarm.schemas.ImageFormat.values()) {
        if (f.name().equalsIgnoreCase(name)) {
          return f.contentType();
        }
      }
      try {
        return dev.tilefarm.schemas.ImageFormat.forExtension(name).contentType();
      } catch (IllegalArgumentException e) {
        // not an extension either: try the next name
      }
    }
    return "application/octet-stream";
  }

  /**
   * Sends the job's checked image: of the job's COMPLETED events ({@code completions}, newest first), the first
   * whose object is the job's and has the event's sha256. Refuses only if none is.
   */
  int output(HttpExchange ex, String jobId, List<JobEvent.Completed> completions, boolean download)
      throws IOException {
    return serve(ex, jobId, completions.stream().map(c -> new Image(c.output(), c.sha256(), contentType(c))).toList(),
        download);
  }

  /**
   * Sends frame {@code frame} of an animation: of its FRAME events ({@code events}, oldest first), the newest whose
   * object is the job's and has the event's sha256; 404 if the frame has no FRAME event (not made yet).
   */
  int frame(HttpExchange ex, String jobId, int frame, List<JobEvent> events, boolean download) throws IOException {
    List<Image> made = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i) instanceof JobEvent.Frame f && f.frame() == frame) {
        made.add(new Image(f.output(), f.sha256(), contentType(f.format(), f.output())));
      }
    }
    if (made.isEmpty()) {
      return Routes.error(ex, 404, null, "frame " + frame + " of job " + jobId + " is not made yet");
    }
    return serve(ex, jobId, made, download);
  }

  /** An image an event names: where, its sha256, its MIME type. */
  private record Image(S3Uri uri, String sha256, String contentType) {}

  /** Sends the first of {@code candidates} that is the job's with its sha256; refuses only if none is. */
  private int serve(HttpExchange ex, String jobId, List<Image> candidates, boolean download) throws IOException {
    Path copy = Files.createTempFile("tilefarm-output-", ".img");
    try {
      List<JobOutputs.RefusedException> refused = new ArrayList<>();
      for (Image c : candidates) {
        long length;
        try {
          length = outputs.copy(jobId, c.uri(), c.sha256(), copy);
        } catch (JobOutputs.RefusedException e) {
          refused.add(e);
          continue;
        }
        S3Uri uri = c.uri();
        ex.getResponseHeaders().set("Content-Type", c.contentType());
        ex.getResponseHeaders().set("ETag", "\"" + c.sha256() + "\"");
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
      }
      return refuse(ex, jobId, refused);
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  /**
   * Sends the video of an animation that made one ({@code "video"}): of the job's COMPLETED events (newest first),
   * the first naming a video that is the job's (written for it, {@link JobOutputs#check}), as {@code video/mp4} or
   * {@code video/quicktime}; 404 if the job made no video.
   */
  int video(HttpExchange ex, String jobId, List<JobEvent.Completed> completions, boolean download)
      throws IOException {
    List<JobOutputs.RefusedException> refused = new ArrayList<>();
    for (JobEvent.Completed c : completions) {
      if (c.video() == null) {
        continue;
      }
      try {
        outputs.check(jobId, c.video());
      } catch (JobOutputs.RefusedException e) {
        refused.add(e);
        continue;
      }
      S3Uri uri = c.video();
      ex.getResponseHeaders().set("Content-Type", videoType(uri));
      ex.getResponseHeaders().set("Cache-Control", "private, max-age=3600");
      if (download) {
        String name = uri.key().substring(uri.key().lastIndexOf('/') + 1);
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "\"");
      }
      ex.sendResponseHeaders(200, 0);
      try (java.io.InputStream in = blobs.open(uri); OutputStream out = ex.getResponseBody()) {
        in.transferTo(out);
      }
      return 200;
    }
    if (refused.isEmpty()) {
      return Routes.error(ex, 404, null, "job " + jobId + " made no video (only an animation with \"video\" does)");
    }
    return refuse(ex, jobId, refused);
  }

  /** The MIME type of a video file by its extension (mp4 or mov). */
  static String videoType(S3Uri video) {
    return "mov".equalsIgnoreCase(video.extension()) ? "video/quicktime" : "video/mp4";
  }

  /** A presigned URL of the job's image: of the newest COMPLETED event whose object is the job's. */
  int outputUrl(HttpExchange ex, String jobId, List<JobEvent.Completed> completions) throws IOException {
    List<JobOutputs.RefusedException> refused = new ArrayList<>();
    for (JobEvent.Completed c : completions) {
      try {
        outputs.check(jobId, c.output());
      } catch (JobOutputs.RefusedException e) {
        refused.add(e);
        continue;
      }
      var url = blobs.presignGet(c.output(), presignTtl);
      return Routes.json(ex, 200, Map.of("url", url.toString(), "expiresAt",
          Instant.now().plus(presignTtl).toString()));
    }
    return refuse(ex, jobId, refused);
  }

  /**
   * None of the job's COMPLETED events is served: 502 if one named the job's own object with other bytes than
   * its sha256 (the farm's image changed), else 403; the reason is that event's, or the newest one's.
   */
  private static int refuse(HttpExchange ex, String jobId, List<JobOutputs.RefusedException> refused)
      throws IOException {
    if (refused.isEmpty()) { // cannot happen: a COMPLETED job has at least one COMPLETED event
      return Routes.error(ex, 409, null, "job " + jobId + " has no COMPLETED event");
    }
    JobOutputs.RefusedException shown = refused.stream().filter(JobOutputs.RefusedException::changed).findFirst()
        .orElse(refused.get(0));
    for (JobOutputs.RefusedException e : refused) {
      log.warn("not serving the output of job {}: {}", jobId, e.getMessage());
    }
    String more = refused.size() == 1 ? "" : " (and " + (refused.size() - 1) + " other COMPLETED event"
        + (refused.size() == 2 ? "" : "s") + " of the job name no output it may have either)";
    return Routes.error(ex, shown.changed() ? 502 : 403, "output", "the output of job " + jobId + " is not served: "
        + shown.getMessage() + more);
  }
}
