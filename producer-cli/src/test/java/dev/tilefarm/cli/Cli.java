package dev.tilefarm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/** One run of the {@code tilefarm} command in this JVM: its exit code and what it printed. */
record Cli(int code, String stdout, String stderr) {

  /** Runs {@code tilefarm ARGS}, capturing stdout and stderr. */
  static Cli run(String... args) {
    return run(s -> { }, args);
  }

  /** Runs {@code tilefarm ARGS}; {@code onStderr} sees stderr so far on every write (to act mid-run). */
  static synchronized Cli run(Consumer<String> onStderr, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    OutputStream watched = new OutputStream() {
      @Override
      public void write(int b) {
        stderr.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.write(b, off, len);
        onStderr.accept(stderr.toString(StandardCharsets.UTF_8));
      }
    };
    int code;
    try (PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(watched, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Cli cli = new Cli(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    err.print(cli.stderr());
    return cli;
  }

  /**
   * Runs {@code tilefarm ARGS --config FILE} as a client of {@code farm}'s broker and S3 server, the file written
   * in {@code dir} with {@code more} settings besides the connection.
   */
  static Cli onFarm(TestFarm farm, Path dir, Map<String, String> more, Consumer<String> onStderr, String... args)
      throws IOException {
    Settings s = farm.farm.settings();
    Properties config = new Properties();
    config.setProperty("bootstrap.servers", s.bootstrapServers());
    config.setProperty("s3.endpoint", s.s3Endpoint().toString());
    config.setProperty("s3.access-key", s.s3AccessKey());
    config.setProperty("s3.secret-key", s.s3SecretKey());
    config.setProperty("s3.bucket", s.bucket());
    config.setProperty("topic.partitions", "3");
    more.forEach(config::setProperty);
    Path file = dir.resolve("client-" + System.nanoTime() + ".properties");
    try (Writer w = Files.newBufferedWriter(file)) {
      config.store(w, null);
    }
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--config";
    all[args.length + 1] = file.toString();
    return run(onStderr, all);
  }
}
