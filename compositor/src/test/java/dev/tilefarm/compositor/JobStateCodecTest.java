package dev.tilefarm.compositor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileResult;
import dev.tilefarm.store.TileKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class JobStateCodecTest {
  private static final S3Uri OUTPUT = S3Uri.parse("s3://out/images/job-7.png");

  static TileResult.Done done(String jobId, TileRect r, int count, int w, int h, S3Uri tileUri) {
    return Results.done(Results.task(jobId, r, count, w, h, OUTPUT, tileUri, 1000), 3, 100, "ab", 5, "w1");
  }

  private static JobProgress collect(List<TileRect> rects, int w, int h, IntFunction<S3Uri> uri, long seed,
      int upTo) {
    List<TileRect> order = new ArrayList<>(rects);
    Collections.shuffle(order, new Random(seed));
    JobProgress p = null;
    for (TileRect r : order.subList(0, upTo)) {
      TileResult.Done d = done("job-7", r, rects.size(), w, h, uri.apply(r.index()));
      if (p == null) {
        p = JobProgress.start(d, 2000, d.output());
      }
      p.add(d);
      assertEquals(p, JobStateCodec.decode(JobStateCodec.encode(p)), "round trip");
    }
    return p;
  }

  @Test
  void aTenThousandTileGridStaysSmall() {
    List<TileRect> grid = TestImages.grid(100 * 64 - 17, 100 * 64 - 5, 64);
    assertEquals(10_000, grid.size());
    JobProgress p = null;
    List<TileRect> order = new ArrayList<>(grid);
    Collections.shuffle(order, new Random(2));
    for (TileRect r : order) {
      TileResult.Done d = done("job-7", r, 10_000, 100 * 64 - 17, 100 * 64 - 5, TileKeys.tile("farm", "job-7", r.index()));
      if (p == null) {
        p = JobProgress.start(d, 2000, d.output());
      }
      p.add(d);
    }
    assertTrue(p.complete());
    byte[] bytes = JobStateCodec.encode(p);
    assertTrue(bytes.length < 1_500, "state is " + bytes.length + " bytes");
    JobProgress back = (JobProgress) JobStateCodec.decode(bytes);
    List<TilePart> parts = back.parts(i -> null);
    for (int i = 0; i < grid.size(); i++) {
      assertEquals(grid.get(i), parts.get(i).rect());
      assertEquals(TileKeys.tile("farm", "job-7", i), parts.get(i).uri());
    }
    assertEquals(10_000 * 5, back.renderMs);
  }

  @Test
  void anIrregularLayoutAndUnpatternedUrisAreKeptExactly() {
    // Columns of widths 5, 9, 2; rows of heights 3 and 4; not a grid the learner can predict.
    List<TileRect> rects = List.of(new TileRect(0, 0, 0, 5, 3), new TileRect(1, 5, 0, 9, 3), new TileRect(2, 14, 0, 2, 3),
        new TileRect(3, 0, 3, 5, 4), new TileRect(4, 5, 3, 9, 4), new TileRect(5, 14, 3, 2, 4));
    IntFunction<S3Uri> uri = i -> i == 4 ? S3Uri.parse("s3://elsewhere/odd-name.tft") : TileKeys.tile("farm", "job-7", i);
    JobProgress p = collect(rects, 16, 7, uri, 3, rects.size());
    assertTrue(p.complete());
    List<TilePart> parts = ((JobProgress) JobStateCodec.decode(JobStateCodec.encode(p))).parts(i -> null);
    for (int i = 0; i < rects.size(); i++) {
      assertEquals(rects.get(i), parts.get(i).rect());
      assertEquals(uri.apply(i), parts.get(i).uri());
    }
  }

  @Test
  void gridTilesAreNotListedOnceTheGridIsKnown() {
    List<TileRect> grid = TestImages.grid(100, 100, 30);
    TileResult.Done last = done("job-7", grid.get(15), 16, 100, 100, TileKeys.tile("farm", "job-7", 15));
    JobProgress p = JobProgress.start(last, 0, last.output());
    p.add(last);
    // The last tile alone (last column and row) tells nothing about the grid, so it is listed at first...
    assertEquals(1, p.rects.size());
    // ...and dropped once an inner tile shows the grid.
    p.add(done("job-7", grid.get(5), 16, 100, 100, TileKeys.tile("farm", "job-7", 5)));
    assertEquals(0, p.rects.size());
    assertEquals(0, p.tileUris.size());
    assertFalse(p.complete());
  }

  @Test
  void anEndedJobRoundTrips() {
    JobEnded ended = new JobEnded(JobEnded.Outcome.FAILED, 123456789L);
    assertEquals(ended, JobStateCodec.decode(JobStateCodec.encode(ended)));
    assertEquals(11, JobStateCodec.encode(ended).length);
  }

  /** The fraction of the last PROGRESS event is kept with the job, so that a restart cannot make it go back. */
  @Test
  void theLastPublishedFractionRoundTripsForPlannedAndRunningJobs() {
    JobPlanned planned = new JobPlanned(5, 50, 10, OUTPUT, 1000, 0).withProgress(4000, 0.32);
    assertEquals(planned, JobStateCodec.decode(JobStateCodec.encode(planned)));
    List<TileRect> grid = TestImages.grid(50, 10, 10);
    TileResult.Done d = done("job-7", grid.get(2), 5, 50, 10, TileKeys.tile("farm", "job-7", 2));
    JobProgress p = JobProgress.start(d, 2000, d.output());
    p.add(d);
    p.reported = 0.46;
    JobProgress back = (JobProgress) JobStateCodec.decode(JobStateCodec.encode(p));
    assertEquals(p, back);
    assertEquals(0.46, back.reported);
  }

  /** A store written before the fraction was kept (format 3) is still read, with none published. */
  @Test
  void formatThreeIsStillRead() {
    JobPlanned planned = new JobPlanned(5, 50, 10, OUTPUT, 1000, 77);
    byte[] v7 = JobStateCodec.encode(planned.withProgress(4000, 0.5));
    // no video plan flag (format 7), no lastProgressAt and reported (format 4)
    byte[] v3 = java.util.Arrays.copyOf(v7, v7.length - 17);
    v3[0] = 3;
    assertEquals(planned, JobStateCodec.decode(v3));

    List<TileRect> grid = TestImages.grid(50, 10, 10);
    TileResult.Done d = done("job-7", grid.get(2), 5, 50, 10, TileKeys.tile("farm", "job-7", 2));
    JobProgress p = JobProgress.start(d, 2000, d.output());
    p.add(d);
    p.reported = 0.5;
    byte[] p7 = JobStateCodec.encode(p);
    // no reported (format 4), no packTiles (format 5), no frame numbers (format 6), no video flag (format 7)
    byte[] p3 = java.util.Arrays.copyOf(p7, p7.length - 17);
    p3[0] = 3;
    JobProgress back = (JobProgress) JobStateCodec.decode(p3);
    assertEquals(0.0, back.reported);
    p.reported = 0;
    assertEquals(p, back);
  }

  @Test
  void formatFourIsStillReadAndPackedJobsRoundTrip() {
    List<TileRect> grid = TestImages.grid(64, 16, 16);
    S3Uri pack = TileKeys.pack("farm", "job-9", 0);
    TileResult.Done first = new TileResult.Done("job-9", grid.get(1), 4, 64, 16, OUTPUT, pack, 3, 10, "0".repeat(64),
        1, "w", 1000, null, null, null, null, 1, 4);
    JobProgress p = JobProgress.start(first, 2000, first.output());
    p.add(first);
    assertEquals(4, p.packTiles);
    assertEquals(p, JobStateCodec.decode(JobStateCodec.encode(p)));

    List<TileRect> plain = TestImages.grid(50, 10, 10);
    TileResult.Done d = done("job-8", plain.get(2), 5, 50, 10, TileKeys.tile("farm", "job-8", 2));
    JobProgress q = JobProgress.start(d, 2000, d.output());
    q.add(d);
    byte[] q7 = JobStateCodec.encode(q);
    byte[] q4 = java.util.Arrays.copyOf(q7, q7.length - 9);
    q4[0] = 4;
    assertEquals(q, JobStateCodec.decode(q4));
    byte[] q5 = java.util.Arrays.copyOf(q7, q7.length - 5);
    q5[0] = 5;
    assertEquals(q, JobStateCodec.decode(q5));
    byte[] q6 = java.util.Arrays.copyOf(q7, q7.length - 1);
    q6[0] = 6;
    assertEquals(q, JobStateCodec.decode(q6));
    q.output = null; // tiles before the plan
    assertEquals(q, JobStateCodec.decode(JobStateCodec.encode(q)));
  }

  @Test
  void corruptBytesAreReported() {
    assertThrows(IllegalStateException.class, () -> JobStateCodec.decode(new byte[] {9, 1}));
    byte[] ok = JobStateCodec.encode(new JobEnded(JobEnded.Outcome.COMPLETED, 1));
    assertThrows(IllegalStateException.class, () -> JobStateCodec.decode(java.util.Arrays.copyOf(ok, ok.length - 1)));
    assertThrows(IllegalStateException.class, () -> JobStateCodec.decode(java.util.Arrays.copyOf(ok, ok.length + 1)));
  }

  /** An animation that makes a video keeps its plan through the store, and so does the job waiting for it. */
  @Test
  void videoPlansAndJobsWaitingForTheirVideoRoundTrip() {
    JobControl.VideoPlan plan = new JobControl.VideoPlan(new JobRequest.Video("mov", 30),
        S3Uri.parse("s3://farm/shot/f.mov"), -3, 2);
    JobPlanned planned = new JobPlanned(5, 50, 10, OUTPUT, 1000, 77).withVideo(plan);
    assertEquals(planned, JobStateCodec.decode(JobStateCodec.encode(planned)));

    List<TileRect> grid = TestImages.grid(50, 10, 10);
    TileResult.Done d = done("job-7", grid.get(2), 5, 50, 10, TileKeys.tile("farm", "job-7", 2));
    JobProgress p = JobProgress.start(d, 2000, d.output());
    p.add(d);
    p.video = plan;
    assertEquals(p, JobStateCodec.decode(JobStateCodec.encode(p)));

    JobEvent.Completed completed = new JobEvent.Completed("job-7", 9000, S3Uri.parse("s3://farm/shot/f-##.png"),
        "PNG", null, 1234, 50, 10, 20, new JobEvent.Timings(8000, 300, 0), 4, null, null);
    JobEncoding encoding = new JobEncoding(completed, plan.uri(), 1000, 9000, 0);
    assertEquals(encoding, JobStateCodec.decode(JobStateCodec.encode(encoding)));
  }
}
