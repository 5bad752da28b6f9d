package dev.tilefarm.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A builtin scene's animation fields: camera keys and frames per second. */
class BuiltinAnimationSceneTest {
  private static SceneSpec.Builtin scene(String fields) throws Exception {
    JobRequest.Render job = (JobRequest.Render) JobCodec.decode(Json.MAPPER.readTree(("{'type':'render','width':8,"
        + "'height':8,'renderer':'builtin','frames':{'start':0,'end':4},'scene':{" + fields
        + "'objects':[{'type':'sphere','center':[0,0,0],'radius':1,'material':'m'}],"
        + "'materials':{'m':{'type':'diffuse','color':[1,1,1]}}}}").replace('\'', '"')), "j");
    return (SceneSpec.Builtin) job.scene();
  }

  private static InvalidJobException invalid(String fields) {
    return assertThrows(InvalidJobException.class, () -> scene(fields));
  }

  @Test
  void cameraKeysReplaceTheCamera() throws Exception {
    SceneSpec.Builtin s = scene("'fps':30,'cameraKeys':[{'frame':0,'position':[0,0,5],'lookAt':[0,0,0]},"
        + "{'frame':10,'position':[5,0,5],'lookAt':[0,0,0],'fov':60}],");
    assertNull(s.camera());
    assertEquals(30, s.fps());
    assertEquals(2, s.cameraKeys().size());
    assertEquals(10, s.cameraKeys().get(1).frame());
    assertArrayEquals(new double[] {5, 0, 5}, s.cameraKeys().get(1).camera().position());
    assertEquals(60, s.cameraKeys().get(1).camera().fov());
    assertEquals(SceneSpec.Builtin.DEFAULT_FPS, scene("'camera':{'position':[0,0,5],'lookAt':[0,0,0]},").fps());
  }

  @Test
  void badKeysAreRefusedNamingTheField() {
    assertEquals("scene.cameraKeys[1].frame", invalid("'cameraKeys':[{'frame':3,'position':[0,0,5],'lookAt':[0,0,0]},"
        + "{'frame':3,'position':[5,0,5],'lookAt':[0,0,0]}],").field());
    assertEquals("scene.cameraKeys[0].lookAt", invalid("'cameraKeys':[{'frame':0,'position':[0,0,5],"
        + "'lookAt':[0,0,5]}],").field());
    assertEquals("scene.cameraKeys[0].frame", invalid("'cameraKeys':[{'position':[0,0,5],'lookAt':[0,0,0]}],")
        .field());
    assertEquals("scene.cameraKeys[0].zoom", invalid("'cameraKeys':[{'frame':0,'position':[0,0,5],'lookAt':[0,0,0],"
        + "'zoom':2}],").field());
    assertEquals("scene.cameraKeys", invalid("'cameraKeys':[],").field());
    InvalidJobException both = invalid("'camera':{'position':[0,0,5],'lookAt':[0,0,0]},'cameraKeys':[{'frame':0,"
        + "'position':[0,0,5],'lookAt':[0,0,0]}],");
    assertEquals("scene.cameraKeys", both.field());
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    assertEquals("scene.fps", invalid("'camera':{'position':[0,0,5],'lookAt':[0,0,0]},'fps':0,").field());
  }
}
