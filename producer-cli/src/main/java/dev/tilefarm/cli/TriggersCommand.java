package dev.tilefarm.cli;

import dev.tilefarm.trigger.UploadTrigger;
import picocli.CommandLine.Command;

@Command(name = "triggers", mixinStandardHelpOptions = true,
    description = "Run the upload trigger against a cluster (or a running 'tilefarm up') until SIGTERM or Ctrl-C: "
        + "object-store notifications on the topic PREFIXuploads (the S3 event JSON that AWS S3 and MinIO publish) "
        + "become process jobs by the rules in triggers.rules (a JSON file: [{\"bucket\", \"prefix\", \"ops\", "
        + "\"output\", \"format\", \"tileSize\"}]). The embedded farm runs it too when triggers.rules is set.")
final class TriggersCommand extends RoleCommand {
  @Override
  void run(Settings settings, Farm farm) throws Exception {
    UploadTrigger trigger = Farm.startTrigger(settings, farm.blobs());
    RoleProcess.runUntilStopped(trigger, "upload trigger on " + settings.bootstrapServers(), trigger::failure);
  }
}
