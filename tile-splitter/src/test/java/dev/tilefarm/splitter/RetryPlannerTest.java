package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRanges;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPlannerTest {
  private static final S3Uri OUT = S3Uri.parse("s3://farm/outputs/j.png");

  private static TileTask task(TileTask.Work work) {
    return new TileTask("j", 8, 64, 32, OUT, S3Uri.parse("s3://farm/tiles/j/" + work.tile().index() + ".tft"), 1,
        JsonNodeFactory.instance.objectNode(), null, null, work);
  }

  private static TileTask tile(int i) {
    return task(new TileTask.Work.Tile(new TileRect(i, (i % 4) * 16, (i / 4) * 16, 16, 16), null));
  }

  private static List<Integer> indexes(List<TileTask> tasks) {
    return tasks.stream().map(t -> t.tile().index()).toList();
  }

  @Test
  void onlyTheTilesNotKeptAreMadeAgain() {
    List<TileTask> all = List.of(tile(0), tile(1), tile(2), tile(3), tile(4), tile(5), tile(6), tile(7));
    assertEquals(List.of(3, 6, 7), indexes(RetryPlanner.remaining(all, TileRanges.parse("0-2,4-5"))));
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), indexes(RetryPlanner.remaining(all, new BitSet())));
  }

  @Test
  void aPackIsMadeAgainIfOneOfItsTilesWasNotKept() {
    TileRect[] r = new TileRect[8];
    for (int i = 0; i < 8; i++) {
      r[i] = new TileRect(i, (i % 4) * 16, (i / 4) * 16, 16, 16);
    }
    List<TileTask> packs = List.of(task(new TileTask.Work.Pack(List.of(r[0], r[1], r[2], r[3]), 4)),
        task(new TileTask.Work.Pack(List.of(r[4], r[5], r[6], r[7]), 4)));
    assertEquals(List.of(4), indexes(RetryPlanner.remaining(packs, TileRanges.parse("0-3,5-7"))));
  }

  @Test
  void keptTilesBeyondTheJobAreIgnored() {
    assertEquals(TileRanges.parse("0-7"), RetryPlanner.kept("0-11", 8));
  }

  @Test
  void onlyAFailedOrCancelledJobIsRetried() {
    var failed = new JobOutcomes.Known(JobOutcomes.State.FAILED, 1, List.of(), null, 1, "0-3");
    var cancelled = new JobOutcomes.Known(JobOutcomes.State.CANCELLED, 1, List.of(), null, 2, null);
    var running = new JobOutcomes.Known(JobOutcomes.State.RUNNING, 1, List.of(), null, 1, null);
    var completed = new JobOutcomes.Known(JobOutcomes.State.COMPLETED, 1, List.of(), OUT, 1, null);
    assertNull(RetryPlanner.refusal("j", failed, false, 1, true));
    assertNull(RetryPlanner.refusal("j", cancelled, false, 2, true));
    assertEquals("job 'j' is RUNNING; only a FAILED or CANCELLED job can be retried",
        RetryPlanner.refusal("j", running, false, 1, true));
    assertEquals("job 'j' is COMPLETED; only a FAILED or CANCELLED job can be retried",
        RetryPlanner.refusal("j", completed, false, 1, true));
    assertEquals("job 'j' is WAITING for other jobs; only a FAILED or CANCELLED job can be retried",
        RetryPlanner.refusal("j", null, true, 1, true));
    assertEquals("the farm knows no job 'j' (never accepted, or ended too long ago)",
        RetryPlanner.refusal("j", null, false, 0, false));
    // A retry already started here, its plan not yet in the farm's records.
    assertEquals("job 'j' is being retried already (attempt 2)", RetryPlanner.refusal("j", failed, false, 2, true));
    assertEquals("job 'j' is no longer kept for retries; submit it again",
        RetryPlanner.refusal("j", failed, false, 0, false));
  }
}
