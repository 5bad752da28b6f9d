package dev.tilefarm.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Options every command shares: where the farm is. Each farm flag sets one setting (a key of {@link Settings#KEYS}),
 * so it defaults from that key's TILEFARM_ environment variable and the config file; the flags are the table
 * {@link #FLAGS}, which picocli is given as options of every command that mixes these in.
 */
@Command(modelTransformer = FarmOptions.AddFlags.class)
final class FarmOptions {
  /** A command-line flag for one setting. */
  private record Flag(String name, String key, String label, String description) {}

  private static final List<Flag> FLAGS = List.of(
      new Flag("--bootstrap-server", "bootstrap.servers", "HOST:PORT", "Kafka cluster to use (env "
          + "TILEFARM_BOOTSTRAP_SERVERS). Without it, tilefarm uses a running 'tilefarm up' or starts an "
          + "embedded farm."),
      new Flag("--s3-endpoint", "s3.endpoint", "URL", "S3-compatible endpoint, e.g. http://minio:9000"),
      new Flag("--s3-access-key", "s3.access-key", "KEY", "S3 access key"),
      new Flag("--s3-secret-key", "s3.secret-key", "SECRET", "S3 secret key"),
      new Flag("--s3-region", "s3.region", "REGION", "S3 region (default us-east-1)"),
      new Flag("--bucket", "s3.bucket", "NAME", "the farm's bucket (default tilefarm)"),
      new Flag("--topic-prefix", "topic.prefix", "PREFIX", "topic and group prefix (default tilefarm.)"),
      new Flag("--data-dir", "data.dir", "DIR", "embedded farm data (default ~/.tilefarm)"));

  /** The settings given by flags, by key. */
  private final Map<String, String> flags = new HashMap<>();

  @Option(names = "--config", paramLabel = "FILE", description = "a tilefarm.properties file (env TILEFARM_CONFIG)")
  Path config;

  @Option(names = {"-q", "--quiet"}, description = "print only results and errors")
  boolean quiet;

  Settings settings() {
    return Settings.load(flags, System.getenv(), config);
  }

  /** The {@code --data-dir} given, or null. */
  String dataDir() {
    return flags.get("data.dir");
  }

  /** Adds {@link #FLAGS} to a command that mixes these options in (picocli gives a mixin's transformer the command). */
  static final class AddFlags implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      for (CommandSpec mixin : command.mixins().values()) {
        if (mixin.userObject() instanceof FarmOptions options) {
          for (Flag f : FLAGS) {
            command.addOption(OptionSpec.builder(f.name()).paramLabel(f.label()).description(f.description())
                .type(String.class).setter(new CommandLine.Model.ISetter() {
                  @Override
                  public <T> T set(T value) {
                    options.flags.put(f.key(), (String) value);
                    return null;
                  }
                }).build());
          }
        }
      }
      return command;
    }
  }
}
