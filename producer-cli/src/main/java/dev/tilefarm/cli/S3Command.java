package dev.tilefarm.cli;

import dev.tilefarm.embedded.EmbeddedS3;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "s3", mixinStandardHelpOptions = true,
    description = "Run the embedded S3-compatible server (S3Proxy on 127.0.0.1) alone until SIGTERM or Ctrl-C, with "
        + "the farm's bucket and the embedded credentials (or --s3-access-key / --s3-secret-key). Objects are kept in "
        + "DATA_DIR/s3.")
final class S3Command implements Callable<Integer> {
  @Mixin
  FarmOptions farm;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "9000",
      description = "port (default ${DEFAULT-VALUE}; 0 = any free port)")
  int port;

  @Override
  public Integer call() throws Exception {
    Settings settings = farm.settings();
    String access = farm.s3AccessKey != null ? farm.s3AccessKey : Settings.EMBEDDED_ACCESS_KEY;
    String secret = farm.s3SecretKey != null ? farm.s3SecretKey : Settings.EMBEDDED_SECRET_KEY;
    EmbeddedS3 s3 = EmbeddedS3.start(settings.dataDir().resolve("s3"), port, access, secret, settings.bucket());
    RoleProcess.runUntilStopped(s3, "s3 on " + s3.endpoint() + " (bucket " + s3.bucket() + ")", () -> null);
    return 0;
  }
}
