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
      System.out.println("accepting-ms=" + (farm.acceptingAt() - jvmStart) + " ready-ms=" + (ready - jvmStart)
          + " " + effort());
    }
    return 0;
  }

  /**
   * What the start cost, for the bench to name what held it: this process's CPU time so far ({@code cpu-ms}), the
   * classes it loaded, the time its JIT compilers ran and its garbage collections took.
   */
  private static String effort() {
    long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1_000_000 : -1;
    long gc = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    var jit = ManagementFactory.getCompilationMXBean();
    return "cpu-ms=" + cpu + " classes=" + ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount()
        + " jit-ms=" + (jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1)
        + " gc-ms=" + gc;
  }
}
