package dev.tilefarm.worker.render.path;

import de.javagl.jgltf.model.AnimationModel;
import de.javagl.jgltf.model.GltfModel;
import de.javagl.jgltf.model.NodeModel;
import de.javagl.jgltf.model.impl.DefaultNodeModel;
import java.util.List;

/**
 * Poses a glTF file's nodes at one moment: every channel of every animation in the file (they play at once, as
 * a file exported with one action per object has them) sets its node's translation, rotation or scale to its
 * sampler's value at that time ({@link KeyframeTrack}). Morph target weights are refused, like morph targets.
 */
final class GltfAnimation {
  private GltfAnimation() {}

  /** Sets the animated nodes of {@code model} to their pose at {@code seconds}. */
  static void pose(String ref, GltfModel model, double seconds) {
    List<AnimationModel> animations = model.getAnimationModels();
    for (int a = 0; a < animations.size(); a++) {
      List<AnimationModel.Channel> channels = animations.get(a).getChannels();
      for (int c = 0; c < channels.size(); c++) {
        AnimationModel.Channel channel = channels.get(c);
        String where = "animation " + a + " channel " + c;
        NodeModel node = channel.getNodeModel();
        if (node == null) {
          continue; // A channel may target no node (an extension's target); glTF says to ignore it.
        }
        String path = channel.getPath();
        int width = switch (path) {
          case "translation", "scale" -> 3;
          case "rotation" -> 4;
          case "weights" -> throw new SceneAssetException(ref, where + " animates morph target weights, which are "
              + "not supported");
          default -> throw new SceneAssetException(ref, where + " animates '" + path + "', which is not a glTF path");
        };
        if (!(node instanceof DefaultNodeModel target)) {
          throw new IllegalStateException(ref + ": " + where + " targets a node the reader made read-only");
        }
        if (node.getMatrix() != null) {
          throw new SceneAssetException(ref, where + " animates a node placed by a matrix (glTF allows only "
              + "translation, rotation and scale on animated nodes)");
        }
        track(ref, where, channel.getSampler(), width, path.equals("rotation"))
            .map(t -> toFloats(t.sample(seconds)))
            .ifPresent(v -> {
              switch (path) {
                case "translation" -> target.setTranslation(v);
                case "rotation" -> target.setRotation(v);
                default -> target.setScale(v);
              }
            });
      }
    }
  }

  private static java.util.Optional<KeyframeTrack> track(String ref, String where, AnimationModel.Sampler sampler,
      int width, boolean rotation) {
    double[] times = GltfAccessors.doubles(ref, where + " input", sampler.getInput(), 1, false);
    double[] values = GltfAccessors.doubles(ref, where + " output", sampler.getOutput(), width, false);
    if (times.length == 0) {
      return java.util.Optional.empty();
    }
    KeyframeTrack.Interpolation interpolation = switch (sampler.getInterpolation()) {
      case STEP -> KeyframeTrack.Interpolation.STEP;
      case LINEAR -> KeyframeTrack.Interpolation.LINEAR;
      case CUBICSPLINE -> KeyframeTrack.Interpolation.CUBICSPLINE;
    };
    try {
      return java.util.Optional.of(new KeyframeTrack(times, values, width, interpolation, rotation));
    } catch (IllegalArgumentException e) {
      throw new SceneAssetException(ref, where + ": " + e.getMessage(), e);
    }
  }

  private static float[] toFloats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }
}
