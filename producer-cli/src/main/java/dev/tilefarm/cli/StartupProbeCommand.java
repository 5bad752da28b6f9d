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
 * start it was ready to accept a job, and exits. Hidden: it measures, it does nothing useful.
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
      System.out.println("ready-ms=" + (System.currentTimeMillis() - jvmStart));
    }
    return 0;
  }
}
