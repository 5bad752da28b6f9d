package dev.tilefarm.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * For {@code tilefarm bench}: starts an embedded farm in a fresh JVM, prints how long after the JVM's own
 * start it could take a job ({@code accepting-ms}: broker, S3 server, bucket and topics) and had every role
 * running ({@code ready-ms}), and exits. Hidden: it measures, it does nothing useful.
 */
@Command(name = "startup-probe", hidden = true)
final class StartupProbeCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true)
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new HashMap<>();
    flags.put("data.dir", dataDir.toString());
    Settings settings = Settings.load(flags, Map.of(), null);
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    try (Farm farm = Farm.startEmbedded(settings, 1, true, 0, 0, new Progress(System.err, false, true))) {
      long ready = System.currentTimeMillis();
      System.out.println("accepting-ms=" + (farm.acceptingAt() - jvmStart) + " ready-ms=" + (ready - jvmStart));
    }
    return 0;
  }
}
