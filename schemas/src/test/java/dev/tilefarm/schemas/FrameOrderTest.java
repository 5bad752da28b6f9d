package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** An animation's {@code "frameOrder"}: first to last, or preview order (ends, middle, then halved gaps). */
class FrameOrderTest {
  private static JobRequest.Render decode(String json) throws Exception {
    return (JobRequest.Render) JobCodec.decode(Json.MAPPER.readTree(json.replace('\'', '"')), "j");
  }

  private static final String BUILTIN = "'type':'render','width':8,'height':8,'renderer':'builtin',"
      + "'scene':{'camera':{'position':[0,0,5],'lookAt':[0,0,0]},'objects':[{'type':'sphere','center':[0,0,0],"
      + "'radius':1,'material':'m'}],'materials':{'m':{'type':'diffuse','color':[1,1,1]}}}";

  /** Frame numbers in the order made, for frames {@code start..end}. */
  private static int[] numbers(JobRequest.Frames frames) {
    return Arrays.stream(frames.order()).map(frames::number).toArray();
  }

  @Test
  void previewOrderTakesTheEndsTheMiddleThenHalvesTheGaps() {
    // Worked by hand: 1 and 9, then 5 (middle of 1..9), then 3 and 7 (of 1..5, 5..9), then 2, 4, 6, 8.
    assertArrayEquals(new int[] {1, 9, 5, 3, 7, 2, 4, 6, 8}, numbers(new JobRequest.Frames(1, 9, 1, true, true)));
    // Frames 10, 12, ... 20 (indices 0..5): 10, 20; gap 0..5 has middle 2 (frame 14); gaps 0..2 -> 1 (12),
    // 2..5 -> 3 (16); gaps 0..1 none, 1..2 none, 2..3 none, 3..5 -> 4 (18).
    assertArrayEquals(new int[] {10, 20, 14, 12, 16, 18}, numbers(new JobRequest.Frames(10, 20, 2, true, true)));
    assertArrayEquals(new int[] {4}, numbers(new JobRequest.Frames(4, 4, 1, true, true)));
    assertArrayEquals(new int[] {4, 5}, numbers(new JobRequest.Frames(4, 5, 1, true, true)));
    assertArrayEquals(new int[] {1, 2, 3, 4}, numbers(new JobRequest.Frames(1, 4, 1, true)));
  }

  @Test
  void previewOrderHoldsEveryFrameOnce() {
    for (int n = 1; n <= 300; n++) {
      int[] order = JobRequest.Frames.previewOrder(n);
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) {
        assertEquals(i, sorted[i], "preview order of " + n + " frames");
      }
    }
  }

  @Test
  void theJobsFrameOrderIsDecodedAndCheckedNamingTheField() throws Exception {
    JobRequest.Render job = decode("{" + BUILTIN + ",'frames':{'start':1,'end':9},'frameOrder':'preview'}");
    assertTrue(job.frames().preview());
    assertFalse(decode("{" + BUILTIN + ",'frames':{'start':1,'end':9}}").frames().preview());
    assertFalse(decode("{" + BUILTIN + ",'frames':{'start':1,'end':9},'frameOrder':'sequential'}").frames().preview());
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> decode("{" + BUILTIN + ",'frames':{'start':1,'end':9},'frameOrder':'random'}"));
    assertEquals("frameOrder", e.field());
    assertTrue(e.getMessage().contains("sequential, preview"), e.getMessage());
    assertEquals("frameOrder", assertThrows(InvalidJobException.class,
        () -> decode("{" + BUILTIN + ",'frame':3,'frameOrder':'preview'}")).field());
    assertEquals("frameOrder", assertThrows(InvalidJobException.class,
        () -> decode("{" + BUILTIN + ",'frameOrder':'preview'}")).field());
  }

  @Test
  void theBuiltinRendererTakesFramesAndTheMandelbrotSetDoesNot() throws Exception {
    assertEquals(new JobRequest.Frames(0, 3, 1, true), decode("{" + BUILTIN + ",'frames':{'start':0,'end':3}}")
        .frames());
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> decode("{'type':'render','width':8,"
        + "'height':8,'renderer':'mandelbrot','frames':{'start':0,'end':3}}"));
    assertEquals("frames", e.field());
    assertTrue(e.getMessage().contains("builtin, povray, blender"), e.getMessage());
  }
}
