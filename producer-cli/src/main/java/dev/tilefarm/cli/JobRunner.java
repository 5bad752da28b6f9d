package dev.tilefarm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.JobOutputs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/** Submits jobs to a farm and waits for their ends, showing overall tile progress. */
final class JobRunner {
  private JobRunner() {}

  /** Submits every job, waits for each to end, and returns the terminal event by job id, in order. */
  static Map<String, JobEvent> run(Farm farm, List<ObjectNode> jobs, Duration timeout, Progress progress)
      throws InterruptedException, TimeoutException {
    try (JobClient client = new JobClient(farm.settings())) {
      Set<String> reused = new HashSet<>();
      for (ObjectNode job : jobs) {
        if (job.hasNonNull("id")) {
          reused.add(job.get("id").asText());
        }
      }
      var from = client.eventPositions();
      List<String> ids = new ArrayList<>();
      for (ObjectNode job : jobs) {
        ids.add(client.submit(job));
      }
      progress.note(ids.size() == 1 ? "submitted job " + ids.get(0) : "submitted " + ids.size() + " jobs");
      Map<String, Integer> total = new HashMap<>();
      Map<String, Integer> done = new HashMap<>();
      Set<String> ended = new HashSet<>();
      Map<String, JobEvent> ends = client.await(ids, reused, from, timeout, event -> {
        String id = event.jobId();
        if (event instanceof JobEvent.Accepted a) {
          total.put(id, a.tiles());
        } else if (event instanceof JobEvent.Progress p) {
          done.put(id, p.done());
          total.put(id, p.total());
        } else if (event instanceof JobEvent.Completed c) {
          done.put(id, c.tiles());
        }
        if (event.terminal()) {
          ended.add(id);
        }
        long t = total.values().stream().mapToLong(Integer::longValue).sum();
        long d = done.values().stream().mapToLong(Integer::longValue).sum();
        progress.bar(d, t, ids.size() == 1 ? ids.get(0) : (ended.size() + " of " + ids.size() + " jobs ended"));
      });
      progress.clearBar();
      Map<String, JobEvent> ordered = new LinkedHashMap<>();
      for (String id : ids) {
        ordered.put(id, ends.get(id));
      }
      return ordered;
    }
  }

  /** One line about how a job ended. */
  static String describe(JobEvent end) {
    if (end instanceof JobEvent.Completed c && c.frames() != null) {
      return c.jobId() + " COMPLETED " + c.frames() + " frames of " + c.width() + "x" + c.height() + " " + c.format()
          + " -> " + c.output() + " (" + c.tiles() + " tiles, " + c.timings().total() + " ms)";
    }
    if (end instanceof JobEvent.Completed c) {
      return c.jobId() + " COMPLETED " + c.width() + "x" + c.height() + " " + c.format() + " -> " + c.output()
          + " (sha256 " + c.sha256().substring(0, 12) + "..., " + c.tiles() + " tiles, " + c.timings().total() + " ms)";
    }
    if (end instanceof JobEvent.Failed f) {
      return f.jobId() + " FAILED: " + f.reason();
    }
    if (end instanceof JobEvent.Rejected r) {
      return r.jobId() + " REJECTED: " + r.reason();
    }
    if (end instanceof JobEvent.Cancelled c) {
      return c.jobId() + " CANCELLED: " + c.reason();
    }
    return end.jobId() + " " + end.getClass().getSimpleName().toUpperCase();
  }

  /** Copies an object to a local file, replacing it. */
  /**
   * Saves job {@code jobId}'s image at {@code uri} to {@code file}, once it is checked to be the job's own and to
   * have {@code sha256}, the sha256 of its COMPLETED event (see {@link JobOutputs}: an event is only as good as
   * whoever wrote it). Nothing is written to {@code file} otherwise.
   *
   * @param outputLocations the farm's {@code limits.output-locations}
   * @param sha256 the event's sha256, or null to check only that the object is the job's (an animation's frames)
   * @throws Main.OutputRefusedException if the object is not the job's, or its bytes are not the event's
   */
  static void download(BlobStore blobs, java.util.List<String> outputLocations, String jobId, S3Uri uri,
      String sha256, Path file) throws IOException, Main.OutputRefusedException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JobOutputs outputs = new JobOutputs(blobs, outputLocations);
    Path part = Files.createTempFile(parent, ".tilefarm-get-", ".part");
    try {
      if (sha256 == null) {
        outputs.check(jobId, uri);
        try (InputStream in = blobs.open(uri)) {
          Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        }
      } else {
        outputs.copy(jobId, uri, sha256, part);
      }
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (JobOutputs.RefusedException e) {
      throw new Main.OutputRefusedException("the output of job " + jobId + " is not saved: " + e.getMessage());
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** The output location for a local target file: the farm's bucket, under the job id, same extension. */
  static S3Uri outputFor(BlobStore blobs, String jobId, Path target) {
    String name = target.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "png" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    return blobs.uri("outputs/" + jobId + "." + ext);
  }
}
