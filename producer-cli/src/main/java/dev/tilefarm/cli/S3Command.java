package dev.tilefarm.cli;

import dev.tilefarm.embedded.EmbeddedS3;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "s3", mixinStandardHelpOptions = true,
    description = "Run the embedded S3-compatible server (S3Proxy on 127.0.0.1) alone until SIGTERM or Ctrl-C, with "
        + "the farm's bucket and the embedded credentials (or --s3-access-key / --s3-secret-key). Objects are kept in "
        + "DATA_DIR/s3.")
final class S3Command extends FarmCommand {

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "9000",
      description = "port (default ${DEFAULT-VALUE}; 0 = any free port)")
  int port;

  @Override
  public Integer call() throws Exception {
    Settings settings = farm.settings();
    String access = blank(settings.s3AccessKey()) ? Settings.EMBEDDED_ACCESS_KEY : settings.s3AccessKey();
    String secret = blank(settings.s3SecretKey()) ? Settings.EMBEDDED_SECRET_KEY : settings.s3SecretKey();
    EmbeddedS3 s3 = EmbeddedS3.start(settings.dataDir().resolve("s3"), port, access, secret, settings.bucket());
    RoleProcess.runUntilStopped(s3, "s3 on " + s3.endpoint() + " (bucket " + s3.bucket() + ")", () -> null);
    return 0;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
