package dev.tilefarm.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Start-up: fresh JVMs with and without an AppCDS archive, and a second start inside a warm JVM. */
final class StartupSection implements Section {
  @Override
  public Result run(Bench bench) throws Exception {
    // In fresh JVMs, as a user meets it: first without, then with an application class-data archive
    // (AppCDS, which the tilefarm launcher creates on first run), side by side.
    Path archive = bench.scratch().resolve("tilefarm.jsa");
    probe(bench, List.of("-XX:ArchiveClassesAtExit=" + archive));
    BenchStats plain = new BenchStats();
    BenchStats cds = new BenchStats();
    BenchStats plainAccepting = new BenchStats();
    BenchStats cdsAccepting = new BenchStats();
    for (int i = 0; i < bench.runs(); i++) {
      double[] p = probe(bench, List.of());
      plainAccepting.add(p[0]);
      plain.add(p[1]);
      double[] c = probe(bench, List.of("-XX:SharedArchiveFile=" + archive));
      cdsAccepting.add(c[0]);
      cds.add(c[1]);
    }
    BenchStats inProcess = new BenchStats();
    for (int i = 0; i < bench.runs(); i++) {
      long t0 = System.nanoTime();
      try (BenchFarm f = bench.farm("startup", 1, bench.threads(), true)) {
        inProcess.add((System.nanoTime() - t0) / 1e6);
      }
    }
    Row row = new Row("Start-up: JVM start → embedded stack accepting a job (every role running)",
        "with AppCDS: " + cdsAccepting.summary("%.0f ms") + " (" + cds.summary("%.0f ms") + ")",
        "without AppCDS: " + plainAccepting.summary("%.0f ms") + " (" + plain.summary("%.0f ms") + ")",
        String.format(Locale.ROOT, "%.2fx (%.2fx)", cdsAccepting.median() / plainAccepting.median(),
            cds.median() / plain.median()),
        "< 3 s after JVM start", cdsAccepting.median() < 3000);
    String note = String.format(Locale.ROOT, "**Start-up** is measured in fresh JVMs (`tilefarm startup-probe`) on a "
        + "new data directory, from the JVM's start to two moments: *accepting a job*, when the broker is formatted and "
        + "started, the S3 server is up and the bucket and topics exist, so a job published then is kept and made as "
        + "soon as the roles run (the aim is marked on this one); and *every role running*: splitter and compositor "
        + "RUNNING in their groups with their state stores open, a worker subscribed (%.0f ms with AppCDS). Most of "
        + "a cold start is class loading and interpretation; the broker and S3 server, and then the roles, start "
        + "side by side. The launcher keeps an AppCDS archive (created on its first run) so later runs map classes "
        + "instead of parsing them. A second start of the whole farm inside an already warm JVM takes %s.",
        cds.median(), inProcess.summary("%.0f ms"));
    return new Result(List.of(row), List.of(note));
  }

  /**
   * Runs a startup probe in a child JVM with extra options; returns when it was accepting jobs and when every role
   * ran, in ms after the JVM's start.
   */
  private static double[] probe(Bench bench, List<String> jvmOptions) throws Exception {
    List<String> options = new java.util.ArrayList<>(jvmOptions);
    options.add("-Xlog:cds=off");
    options.add("-Xlog:cds+dynamic=off");
    List<String> cmd = bench.tilefarmCommand(options,
        List.of("startup-probe", "--data-dir", bench.scratch().resolve("probe-" + System.nanoTime()).toString()));
    Process p = BenchProcesses.start(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || !out.contains("ready-ms=") || !out.contains("accepting-ms=")) {
      throw new IllegalStateException("startup probe failed (exit " + p.exitValue() + "): " + out);
    }
    return new double[] {probeValue(out, "accepting-ms="), probeValue(out, "ready-ms=")};
  }

  private static double probeValue(String out, String name) {
    return Double.parseDouble(out.substring(out.indexOf(name) + name.length()).trim().split("\\s")[0]);
  }
}
