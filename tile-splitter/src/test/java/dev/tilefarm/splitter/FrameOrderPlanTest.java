package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.JobLimits;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planned task list follows the job's frame order: the order tasks are released in. */
class FrameOrderPlanTest {
  private final JobPlanner planner = new JobPlanner(new JobLimits(1_000_000, 100, 64),
      uri -> new ImageProbe.Size(1, 1), "farm");

  private static final String JOB = "{'id':'a1','type':'render','width':40,'height':20,'tileSize':20,"
      + "'renderer':'builtin','frames':{'start':1,'end':5}%s,'scene':{'camera':{'position':[0,0,5],"
      + "'lookAt':[0,0,0]},'objects':[{'type':'sphere','center':[0,0,0],'radius':1,'material':'m'}],"
      + "'materials':{'m':{'type':'diffuse','color':[1,1,1]}}}}";

  private List<String> planned(String order) {
    ObjectNode json = JobCodec.parse(String.format(JOB, order).replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    Plan plan = planner.plan(JobCodec.decode(json, "x"), json, 0L);
    return plan.tasks().stream().map(t -> {
      TileTask.Work.FrameTile f = (TileTask.Work.FrameTile) t.work();
      return f.frame() + ":" + f.tile().index();
    }).toList();
  }

  @Test
  void previewOrderPlansTheFirstLastAndMiddleFramesFirstKeepingEachTilesIndex() {
    // Two tiles a frame; frames 1..5 in preview order are 1, 5, 3, 2, 4 (by hand: ends, middle 3, then 2 and 4).
    // A tile's index stays its frame's place in the sequence times two, plus its place in the frame.
    assertEquals(List.of("1:0", "1:1", "5:8", "5:9", "3:4", "3:5", "2:2", "2:3", "4:6", "4:7"),
        planned(",'frameOrder':'preview'"));
  }

  @Test
  void sequentialOrderIsFirstToLast() {
    assertEquals(List.of("1:0", "1:1", "2:2", "2:3", "3:4", "3:5", "4:6", "4:7", "5:8", "5:9"), planned(""));
  }
}
