package dev.tilefarm.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: where the farm is. Each defaults from its TILEFARM_ environment variable. */
final class FarmOptions {
  @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
      description = "Kafka cluster to use (env TILEFARM_BOOTSTRAP_SERVERS). Without it, tilefarm uses a running "
          + "'tilefarm up' or starts an embedded farm.")
  String bootstrap;

  @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint, e.g. http://minio:9000")
  String s3Endpoint;

  @Option(names = "--s3-access-key", paramLabel = "KEY", description = "S3 access key")
  String s3AccessKey;

  @Option(names = "--s3-secret-key", paramLabel = "SECRET", description = "S3 secret key")
  String s3SecretKey;

  @Option(names = "--s3-region", paramLabel = "REGION", description = "S3 region (default us-east-1)")
  String s3Region;

  @Option(names = "--bucket", paramLabel = "NAME", description = "the farm's bucket (default tilefarm)")
  String bucket;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "topic and group prefix (default tilefarm.)")
  String topicPrefix;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "embedded farm data (default ~/.tilefarm)")
  String dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "a tilefarm.properties file (env TILEFARM_CONFIG)")
  Path config;

  @Option(names = {"-q", "--quiet"}, description = "print only results and errors")
  boolean quiet;

  Settings settings() {
    Map<String, String> flags = new HashMap<>();
    flags.put("bootstrap.servers", bootstrap);
    flags.put("s3.endpoint", s3Endpoint);
    flags.put("s3.access-key", s3AccessKey);
    flags.put("s3.secret-key", s3SecretKey);
    flags.put("s3.region", s3Region);
    flags.put("s3.bucket", bucket);
    flags.put("topic.prefix", topicPrefix);
    flags.put("data.dir", dataDir);
    return Settings.load(flags, System.getenv(), config);
  }
}
