package dev.tilefarm.cli;

import dev.tilefarm.trigger.UploadTrigger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "triggers", mixinStandardHelpOptions = true,
    description = "Run the upload trigger against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C: "
        + "object-store notifications on the topic PREFIXuploads (the S3 event JSON that AWS S3 and MinIO publish) "
        + "become process jobs by the rules in triggers.rules (a JSON file: [{\"bucket\", \"prefix\", \"ops\", "
        + "\"output\", \"format\", \"tileSize\"}]). The embedded farm runs it too when triggers.rules is set.")
final class TriggersCommand implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Override
  public Integer call() throws Exception {
    Settings settings = RoleProcess.cluster(farm.settings(), "triggers");
    try (Farm connected = Farm.connect(settings)) {
      UploadTrigger trigger = Farm.startTrigger(settings, connected.blobs());
      RoleProcess.runUntilStopped(trigger, "upload trigger on " + settings.bootstrapServers(), trigger::failure);
    }
    return 0;
  }
}
