package dev.tilefarm.cli;

import dev.tilefarm.api.HttpApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Run the embedded farm (Kafka broker, S3 server and every role) until Ctrl-C, and print how "
        + "outside clients reach it. Other tilefarm commands on the same data directory use it.")
final class UpCommand extends FarmCommand {
  @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092",
      description = "broker port (default ${DEFAULT-VALUE}; 0 = any free port)")
  int kafkaPort;

  @Option(names = "--s3-port", paramLabel = "PORT", defaultValue = "9000",
      description = "S3 server port (default ${DEFAULT-VALUE}; 0 = any free port)")
  int s3Port;

  @Mixin
  EmbeddedWorkersOption workers;

  @Option(names = "--no-roles", description = "run just the broker and the S3 server")
  boolean noRoles;

  @Mixin
  HttpPortOption http;

  @Override
  public Integer call() throws Exception {
    Settings settings = http.applyTo(farm.settings());
    if (settings.clusterConfigured()) {
      throw new Main.UsageException("'tilefarm up' runs an embedded farm; a cluster is configured ("
          + settings.bootstrapServers() + ")");
    }
    Progress progress = Progress.stderr(farm.quiet);
    try (StopSignal stop = new StopSignal();
         Farm running = Farm.startEmbedded(settings, workers.count, !noRoles, kafkaPort, s3Port, progress);
         HttpApi api = noRoles ? null : running.startApi()) {
      running.advertise();
      Settings s = running.settings();
      System.out.println("tilefarm is up" + (noRoles ? " (broker and S3 only)" : "") + ". Press Ctrl-C to stop.");
      if (api != null) {
        System.out.println("  dashboard and API: " + api.uri() + "  (OpenAPI: " + api.uri() + "openapi.yaml, "
            + "metrics: " + api.uri() + "metrics)");
      }
      System.out.println("  bootstrap servers: " + s.bootstrapServers());
      System.out.println("  S3 endpoint:       " + s.s3Endpoint() + "  (path-style, region " + s.s3Region() + ")");
      System.out.println("  bucket:            " + s.bucket());
      System.out.println("  access key:        " + s.s3AccessKey());
      System.out.println("  secret key:        " + s.s3SecretKey());
      System.out.println("  jobs topic:        " + s.topics().jobs().name());
      System.out.println("  events topic:      " + s.topics().jobEvents().name());
      System.out.println("  data directory:    " + s.dataDir());
      System.out.flush();
      stop.listen();
      stop.await();
      progress.note("stopping");
    }
    return 0;
  }
}
