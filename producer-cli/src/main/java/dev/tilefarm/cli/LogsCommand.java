package dev.tilefarm.cli;

import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.BlobStore;
import dev.tilefarm.store.TileKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Print a job's renderer logs: what POV-Ray or Blender said while making each tile.%n"
        + "Only the external renderers (povray, blender) keep logs: one per tile, of the tiles that rendered and "
        + "the ones that failed, kept in the farm's bucket under logs/JOB_ID/N.log after the job ends. Jobs of "
        + "the builtin and mandelbrot renderers and process jobs have none.%n"
        + "Exits 1 when there is no log to print.")
final class LogsCommand extends FarmCommand {
  @Parameters(index = "0", paramLabel = "JOB_ID")
  String jobId;

  @Option(names = "--tile", paramLabel = "N", description = "only tile N's log (tile indexes as in FAILED events "
      + "and the dashboard)")
  Integer tile;

  @Override
  public Integer call() throws Exception {
    if (tile != null && tile < 0) {
      throw new Main.UsageException("--tile: a tile index is 0 or more, got " + tile);
    }
    Progress progress = Progress.stderr(farm.quiet);
    try (Farm running = Farm.open(farm.settings(), 1, progress)) {
      BlobStore blobs = running.blobs();
      String bucket = running.settings().bucket();
      if (tile != null) {
        S3Uri uri = TileKeys.tileLog(bucket, jobId, tile);
        try {
          System.out.print(text(blobs.get(uri)));
          return 0;
        } catch (BlobNotFoundException e) {
          throw new Main.JobsFailedException("no renderer log for tile " + tile + " of job " + jobId + " (" + uri
              + "): " + none());
        }
      }
      S3Uri folder = TileKeys.logFolder(bucket, jobId);
      List<BlobStore.Listed> logs = new ArrayList<>();
      for (BlobStore.Listed l : blobs.list(bucket, folder.key())) {
        if (tileOf(folder, l.uri()) >= 0) {
          logs.add(l);
        }
      }
      if (logs.isEmpty()) {
        throw new Main.JobsFailedException("no renderer logs for job " + jobId + " (" + folder + "): " + none());
      }
      logs.sort(Comparator.comparingInt(l -> tileOf(folder, l.uri())));
      for (BlobStore.Listed l : logs) {
        System.out.println("==> tile " + tileOf(folder, l.uri()) + " (" + l.uri() + ") <==");
        String text = text(blobs.get(l.uri()));
        System.out.print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
      }
      return 0;
    }
  }

  private static String none() {
    return "only povray and blender tiles keep logs, and only once a worker has run them "
        + "(is the id right? 'tilefarm jobs' lists the jobs)";
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The tile index of a log in {@code folder} ({@code N.log}), or -1 for anything else there. */
  static int tileOf(S3Uri folder, S3Uri log) {
    if (!log.bucket().equals(folder.bucket()) || !log.key().startsWith(folder.key())) {
      return -1;
    }
    String name = log.key().substring(folder.key().length());
    if (!name.matches("\\d{1,9}\\.log")) {
      return -1;
    }
    return Integer.parseInt(name.substring(0, name.length() - 4));
  }
}
