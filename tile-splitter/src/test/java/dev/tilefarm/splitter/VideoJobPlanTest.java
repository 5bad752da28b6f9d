package dev.tilefarm.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tilefarm.schemas.InvalidJobException;
import dev.tilefarm.schemas.JobCodec;
import dev.tilefarm.schemas.JobControl;
import dev.tilefarm.schemas.JobEvent;
import dev.tilefarm.schemas.JobLinks;
import dev.tilefarm.schemas.JobRequest;
import dev.tilefarm.schemas.Renderer;
import dev.tilefarm.schemas.S3Uri;
import dev.tilefarm.schemas.TileRect;
import dev.tilefarm.schemas.TileTask;
import dev.tilefarm.store.BlobNotFoundException;
import dev.tilefarm.store.JobLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A video job's way through the splitter, free of Kafka: the animation's frames kept in the job outcomes from its
 * plan to its COMPLETED end, the release that fills them in, and the plan of one video task on the ffmpeg lane.
 */
class VideoJobPlanTest {
  private static final S3Uri PATTERN = S3Uri.parse("s3://farm/outputs/shot/frame-####.png");
  private static final JobRequest.Frames FRAMES = new JobRequest.Frames(10, 30, 5, true, true);

  private final JobPlanner planner = new JobPlanner(new JobLimits(1_000_000, 100, 64), uri -> switch (uri.key()) {
    case "outputs/shot/frame-0010.png" -> new ImageProbe.Size(47, 33);
    default -> throw new BlobNotFoundException(uri, null);
  }, "farm");

  private static ObjectNode json(String text) {
    return JobCodec.parse(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aCompletedAnimationKeepsItsFramesFromItsPlanForTheVideoJobsAfterIt() {
    JobControl.Planned planned = new JobControl.Planned("shot", 5, 10, 47, 33, PATTERN, null, null, null, null,
        FRAMES);
    JobOutcomes.Known running = JobOutcomes.after(null, planned);
    assertEquals(PATTERN, running.frameOutput());
    JobOutcomes.Known done = JobOutcomes.after(running, new JobControl.Ended("shot", 9, "COMPLETED"));
    assertEquals(JobOutcomes.State.COMPLETED, done.state());
    assertEquals(FRAMES, done.frames());
    assertEquals(PATTERN, done.frameOutput());
    assertEquals(done, JobOutcomes.decode(JobOutcomes.encode(done)), "as the global store keeps it");
    JobOutcomes.Known failed = JobOutcomes.after(running, new JobControl.Ended("shot", 9, "FAILED"));
    assertNull(failed.frames());
    // A still's plan has no frames: a video job of it is told so.
    JobOutcomes.Known still = JobOutcomes.after(JobOutcomes.after(null, new JobControl.Planned("still", 5, 4, 8, 8,
        S3Uri.parse("s3://farm/outputs/still.png"), null)), new JobControl.Ended("still", 9, "COMPLETED",
        S3Uri.parse("s3://farm/outputs/still.png"), null, null, null));
    WaitingJobs waiting = new WaitingJobs(Duration.ofSeconds(30));
    Map<String, JobOutcomes.Known> known = Map.of("shot", done, "still", still);
    assertEquals(new WaitingJobs.Release(PATTERN, FRAMES),
        waiting.decide("v", new JobLinks(List.of(), "shot"), true, 0, 0, known::get));
    assertEquals(new WaitingJobs.End(JobOutcomes.State.FAILED, "input: job 'still' completed without an animation's "
        + "frames (it made the single image s3://farm/outputs/still.png), so there is no video to make of it"),
        waiting.decide("v", new JobLinks(List.of(), "still"), true, 0, 0, known::get));
  }

  @Test
  void aReleasedVideoJobIsOneVideoTaskOnTheFfmpegLane() {
    ObjectNode submitted = json("{'id':'v','type':'video','input':'job:shot','video':{'format':'mov','fps':8},"
        + "'timeLimit':60}");
    ObjectNode released = new WaitingJobs.Release(PATTERN, FRAMES).resolve(submitted);
    JobRequest job = JobCodec.decode(released, "v");
    Plan plan = planner.plan(job, released, 1000L);
    S3Uri video = S3Uri.parse("s3://farm/outputs/v.mov");
    JobControl.VideoPlan videoPlan = new JobControl.VideoPlan(new JobRequest.Video("mov", 8), video, 10, 5, 5);
    assertEquals(new JobControl.Planned("v", 1000L, 1, 47, 33, PATTERN, 61_000L, null, null, videoPlan),
        plan.planned());
    assertEquals(List.of(new TileTask("v", 1, 47, 33, PATTERN, video, 1000L, null, null, 61_000L,
        new TileTask.Work.Video(new TileRect(0, 0, 0, 47, 33), 10, 5, 5, new JobRequest.Video("mov", 8)))),
        plan.tasks());
    assertEquals(new JobEvent.Accepted("v", 1000L, "video", 1, 47, 33, video), plan.accepted());
    assertEquals(dev.tilefarm.clients.StreamsNodes.TASKS_SINK + "." + Renderer.FFMPEG.id(), SplitterTopology.tasksSink(job));
  }

  @Test
  void aMissingFirstFrameOrNoFfmpegIsRefusedNamingTheField() {
    ObjectNode missing = json("{'id':'v','type':'video','input':'s3://farm/none/####.png','frames':{'start':1,"
        + "'end':2},'video':{}}");
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> planner.plan(JobCodec.decode(missing, "v"), missing, 0));
    assertEquals("input", e.field());
    assertTrue(e.getMessage().contains("frame 1 (s3://farm/none/0001.png) does not exist"), e.getMessage());
    ObjectNode ok = new WaitingJobs.Release(PATTERN, FRAMES).resolve(json("{'id':'v','type':'video',"
        + "'input':'job:shot','video':{}}"));
    JobPlanner noFfmpeg = new JobPlanner(new JobLimits(1_000_000, 100, 64), uri -> new ImageProbe.Size(8, 8), "farm",
        renderer -> renderer == Renderer.FFMPEG ? "no live worker has ffmpeg" : null);
    InvalidJobException video = assertThrows(InvalidJobException.class,
        () -> noFfmpeg.plan(JobCodec.decode(ok, "v"), ok, 0));
    assertEquals("video", video.field());
    ObjectNode foreign = new WaitingJobs.Release(PATTERN, FRAMES).resolve(json("{'id':'v','type':'video',"
        + "'input':'job:shot','video':{},'output':'s3://farm/outputs/shot/frame.mp4'}"));
    assertEquals("output", assertThrows(InvalidJobException.class,
        () -> planner.plan(JobCodec.decode(foreign, "v"), foreign, 0)).field(), "another job's folder");
  }
}
