package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A video job ({@code "type": "video"}): decoded, its links, its faults naming the field. */
class VideoJobCodecTest {
  private static ObjectNode json(String fields) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(("{'id':'v','type':'video'" + fields + "}").replace('\'', '"'));
  }

  private static JobRequest.Encode decode(String fields) throws Exception {
    return (JobRequest.Encode) JobCodec.decode(json(fields), "fallback");
  }

  private static InvalidJobException invalid(String fields) {
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> decode(fields));
    assertEquals("v", e.jobId());
    return e;
  }

  @Test
  void aVideoJobTakesAnAnimationJobsFramesAndWaitsForIt() throws Exception {
    JobRequest.Encode job = decode(",'input':'job:shot','video':{'format':'mov','fps':30},'output':'s3://bkt/s.mov'");
    assertEquals("video", job.type());
    assertNull(job.input()); // filled in from the animation once it completed
    assertNull(job.frames());
    assertEquals(new JobRequest.Video("mov", 30), job.video());
    assertEquals(S3Uri.parse("s3://bkt/s.mov"), job.output());
    assertEquals(0, job.tileSize());
    JobLinks links = JobCodec.linksOf(json(",'input':'job:shot','after':['other'],'video':{}"), "v");
    assertEquals(List.of("other", "shot"), links.all());
    assertEquals("shot", links.inputJob());
    assertTrue(JobLinks.takesFrames(json(",'input':'job:shot'")));
    assertFalse(JobLinks.takesFrames(Json.MAPPER.readTree("{\"type\":\"process\",\"input\":\"job:shot\"}")));
  }

  @Test
  void theFramesOfAnAnimationJobFillInItsInput() throws Exception {
    ObjectNode submitted = json(",'input':'job:shot','video':{'fps':12}");
    ObjectNode resolved = JobLinks.withFrames(submitted, S3Uri.parse("s3://bkt/outputs/shot/frame-####.png"),
        new JobRequest.Frames(3, 11, 4, true, true));
    assertEquals("job:shot", submitted.get("input").asText(), "the submitted job is kept for a retry");
    JobRequest.Encode job = (JobRequest.Encode) JobCodec.decode(resolved, "v");
    assertEquals(S3Uri.parse("s3://bkt/outputs/shot/frame-####.png"), job.input());
    // The animation's order of making is not the video's: the video is frame 3, 7, 11.
    assertEquals(new JobRequest.Frames(3, 11, 4, true), job.frames());
    assertEquals(new JobRequest.Video("mp4", 12), job.video());
    assertTrue(JobCodec.linksOf(resolved, "v").none());
  }

  @Test
  void aFramePatternInStorageNeedsItsFrameNumbers() throws Exception {
    JobRequest.Encode job = decode(",'input':'s3://bkt/f/####.jpg','frames':{'start':-2,'end':2},'video':{}");
    assertEquals(S3Uri.parse("s3://bkt/f/####.jpg"), job.input());
    assertEquals(5, job.frames().count());
    assertNull(job.output());
    InvalidJobException noFrames = invalid(",'input':'s3://bkt/f/####.jpg','video':{}");
    assertEquals("frames", noFrames.field());
    assertTrue(noFrames.getMessage().contains("start"), noFrames.getMessage());
    assertEquals("frames.end", invalid(",'input':'s3://bkt/f/####.jpg','frames':{'start':2,'end':1},'video':{}")
        .field());
    assertEquals("frames", invalid(",'input':'s3://bkt/f/####.jpg','frames':{'start':0,'end':10000},'video':{}")
        .field());
    InvalidJobException noHash = invalid(",'input':'s3://bkt/f/frame.png','frames':{'start':1,'end':2},'video':{}");
    assertEquals("input", noHash.field());
    assertTrue(noHash.getMessage().contains("'#'"), noHash.getMessage());
    assertEquals("input", invalid(",'input':'s3://bkt/f/####.gif','frames':{'start':1,'end':2},'video':{}").field());
    assertEquals("frames", invalid(",'input':'job:shot','frames':{'start':1,'end':2},'video':{}").field());
  }

  @Test
  void faultsNameTheField() {
    InvalidJobException noInput = invalid(",'video':{}");
    assertEquals("input", noInput.field());
    assertTrue(noInput.getMessage().contains("job:JOB_ID"), noInput.getMessage());
    InvalidJobException noVideo = invalid(",'input':'job:shot'");
    assertEquals("video", noVideo.field());
    assertEquals("video.fps", invalid(",'input':'job:shot','video':{'fps':0}").field());
    assertEquals("video.format", invalid(",'input':'job:shot','video':{'format':'webm'}").field());
    InvalidJobException wrongExtension = invalid(",'input':'job:shot','video':{'format':'mov'},'output':'s3://bkt/v.mp4'");
    assertEquals("output", wrongExtension.field());
    assertTrue(wrongExtension.getMessage().contains(".mov"), wrongExtension.getMessage());
    assertEquals("output", invalid(",'input':'job:shot','video':{},'output':'s3://bkt/v.png'").field());
    assertEquals("tileSize", invalid(",'input':'job:shot','video':{},'tileSize':64").field());
    assertEquals("ops", invalid(",'input':'job:shot','video':{},'ops':[]").field());
    assertEquals("frameOrder", invalid(",'input':'job:shot','video':{},'frameOrder':'preview'").field());
    assertEquals("input", invalid(",'input':'job:v','video':{}").field());
    assertEquals("after[0]", invalid(",'input':'job:shot','video':{},'after':['v']").field());
    InvalidJobException type = assertThrows(InvalidJobException.class,
        () -> JobCodec.decode(Json.MAPPER.readTree("{\"type\":\"movie\"}"), "m"));
    assertTrue(type.getMessage().contains("\"video\""), type.getMessage());
  }
}
