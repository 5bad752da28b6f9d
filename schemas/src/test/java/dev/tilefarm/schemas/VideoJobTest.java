package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An animation's {@code "video"}: decoded, checked naming the field, and where the video goes. */
class VideoJobTest {
  private static final String JOB = "'type':'render','width':8,'height':8,'renderer':'builtin',"
      + "'scene':{'camera':{'position':[0,0,5],'lookAt':[0,0,0]},'objects':[{'type':'sphere','center':[0,0,0],"
      + "'radius':1,'material':'m'}],'materials':{'m':{'type':'diffuse','color':[1,1,1]}}}";

  private static JobRequest.Render decode(String fields) throws Exception {
    return (JobRequest.Render) JobCodec.decode(Json.MAPPER.readTree(("{" + JOB + fields + "}").replace('\'', '"')),
        "j");
  }

  private static InvalidJobException invalid(String fields) {
    return assertThrows(InvalidJobException.class, () -> decode(fields));
  }

  @Test
  void anAnimationMayAskForAVideo() throws Exception {
    assertEquals(new JobRequest.Video("mov", 30),
        decode(",'frames':{'start':1,'end':9},'video':{'format':'mov','fps':30}").video());
    assertEquals(new JobRequest.Video("mp4", 24), decode(",'frames':{'start':1,'end':9},'video':{}").video());
    assertNull(decode(",'frames':{'start':1,'end':9}").video());
  }

  @Test
  void badVideosAreRefusedNamingTheField() {
    assertEquals("video.fps", invalid(",'frames':{'start':1,'end':9},'video':{'fps':0}").field());
    assertEquals("video.fps", invalid(",'frames':{'start':1,'end':9},'video':{'fps':121}").field());
    assertEquals("video.fps", invalid(",'frames':{'start':1,'end':9},'video':{'fps':2.5}").field());
    InvalidJobException format = invalid(",'frames':{'start':1,'end':9},'video':{'format':'avi'}");
    assertEquals("video.format", format.field());
    assertTrue(format.getMessage().contains("mp4, mov"), format.getMessage());
    assertEquals("video.codec", invalid(",'frames':{'start':1,'end':9},'video':{'codec':'vp9'}").field());
    InvalidJobException still = invalid(",'video':{'format':'mp4'}");
    assertEquals("video", still.field());
    assertTrue(still.getMessage().contains("only for an animation"), still.getMessage());
    assertEquals("video", invalid(",'frame':3,'video':{'format':'mp4'}").field());
    assertEquals("video", invalid(",'frames':{'start':1,'end':9},'video':'mp4'").field());
  }

  @Test
  void theVideoGoesBesideTheFramesWithoutTheFrameNumber() {
    JobRequest.Video mp4 = new JobRequest.Video("mp4", 24);
    assertEquals("s3://bkt/shot/frame.mp4", mp4.outputOf(S3Uri.parse("s3://bkt/shot/frame-####.png")).toString());
    assertEquals("s3://bkt/shot/frame.mov", new JobRequest.Video("mov", 24)
        .outputOf(S3Uri.parse("s3://bkt/shot/frame_##.jpg")).toString());
    assertEquals("s3://bkt/shot/video.mp4", mp4.outputOf(S3Uri.parse("s3://bkt/shot/####.png")).toString());
    assertEquals("s3://bkt/a#b/f-v1.mp4", mp4.outputOf(S3Uri.parse("s3://bkt/a#b/f-##-v1.png")).toString());
    assertEquals("video/mp4", mp4.contentType());
    assertEquals("video/quicktime", new JobRequest.Video("mov", 1).contentType());
  }
}
