package dev.tilefarm.bench.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Start-up: fresh JVMs with and without an AppCDS archive, and a second start inside a warm JVM. */
final class StartupSection implements Section {
  /** Issue 18's aim: every role running, in ms after the JVM's start (with the launcher's AppCDS archive). */
  static final Aim EVERY_ROLE_RUNNING = Aim.atMost(2500, "every role running ≤ 2.5 s after JVM start");

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
    Probe lastCds = null;
    for (int i = 0; i < bench.runs(); i++) {
      Probe p = probe(bench, List.of());
      plainAccepting.add(p.acceptingMs());
      plain.add(p.readyMs());
      lastCds = probe(bench, List.of("-XX:SharedArchiveFile=" + archive));
      cdsAccepting.add(lastCds.acceptingMs());
      cds.add(lastCds.readyMs());
    }
    BenchStats inProcess = new BenchStats();
    for (int i = 0; i < bench.runs(); i++) {
      long t0 = System.nanoTime();
      try (BenchFarm f = bench.farm("startup", 1, bench.threads(), true)) {
        inProcess.add((System.nanoTime() - t0) / 1e6);
      }
    }
    Row row = new Row("Start-up: JVM start → every role running (and → embedded stack accepting a job)",
        "with AppCDS: every role running " + cds.summary("%.0f ms") + " (accepting a job "
            + cdsAccepting.summary("%.0f ms") + ")",
        "without AppCDS: every role running " + plain.summary("%.0f ms") + " (accepting a job "
            + plainAccepting.summary("%.0f ms") + ")",
        String.format(Locale.ROOT, "%.2fx (%.2fx)", cds.median() / plain.median(),
            cdsAccepting.median() / plainAccepting.median()),
        EVERY_ROLE_RUNNING.text(), EVERY_ROLE_RUNNING.reachedBy(cds.median()));
    String note = String.format(Locale.ROOT, "**Start-up** is measured in fresh JVMs (`tilefarm startup-probe`) on a "
        + "new data directory, from the JVM's start to two moments: *accepting a job*, when the broker is formatted "
        + "and started, the S3 server is up and the bucket and topics exist, so a job published then is kept and made "
        + "as soon as the roles run (%.0f ms with AppCDS); and *every role running*: splitter and compositor "
        + "RUNNING in their groups with their state stores open, a worker subscribed (the aim is marked on "
        + "this one). Most of "
        + "a cold start is class loading and interpretation; the broker and S3 server, and then the roles, start "
        + "side by side. The launcher keeps an AppCDS archive (created on its first run) so later runs map classes "
        + "instead of parsing them. A second start of the whole farm inside an already warm JVM takes %s.",
        cdsAccepting.median(), inProcess.summary("%.0f ms"));
    List<String> notes = new java.util.ArrayList<>(List.of(note));
    if (!row.reached()) {
      notes.add(Bottleneck.note("Start-up", bottleneck(lastCds, bench.threads())));
    }
    return new Result(List.of(row), notes);
  }

  /**
   * One fresh JVM's start: when it was accepting jobs and had every role running (ms after the JVM's start), what it
   * cost by then (its CPU time, classes loaded, JIT and GC time), and how busy the machine was over the probe.
   */
  record Probe(double acceptingMs, double readyMs, double cpuMs, long classes, double jitMs, double gcMs,
      double machineBusy) {}

  /**
   * Compute or waiting: a start that kept about a core busy throughout is compute (class loading, interpretation,
   * the JIT), one that did not waits (on the broker's and the Kafka Streams roles' own start-up); other programs
   * having the machine is named first.
   */
  static String bottleneck(Probe p, int cores) {
    double busy = p.cpuMs() / (p.readyMs() * cores);
    String measured = String.format(Locale.ROOT, "the last start with AppCDS used %.0f ms of CPU in its %.0f ms to "
        + "every role running (%.1f of %d cores busy on average), loading %,d classes; its JIT compilers ran %.0f ms, "
        + "its garbage collections took %.0f ms; the machine was %.0f%% busy over the probe", p.cpuMs(), p.readyMs(),
        p.cpuMs() / p.readyMs(), cores, p.classes(), p.jitMs(), p.gcMs(), 100 * p.machineBusy());
    if (Bottleneck.othersTookIt(p.machineBusy(), busy)) {
      return Bottleneck.cpu(p.machineBusy(), busy, measured).orElseThrow();
    }
    if (p.cpuMs() >= 0.9 * p.readyMs()) {
      return "CPU: a cold start is compute, class loading and interpretation with the JIT beside it: " + measured;
    }
    return "waiting more than computing (the broker's and the Kafka Streams roles' own start-up: elections, group "
        + "joins, their timers): " + measured;
  }

  /**
   * Runs a startup probe in a child JVM with extra options; returns when it was accepting jobs and when every role
   * ran, in ms after the JVM's start.
   */
  private static Probe probe(Bench bench, List<String> jvmOptions) throws Exception {
    List<String> options = new java.util.ArrayList<>(jvmOptions);
    options.add("-Xlog:cds=off");
    options.add("-Xlog:cds+dynamic=off");
    List<String> cmd = bench.tilefarmCommand(options,
        List.of("startup-probe", "--data-dir", bench.scratch().resolve("probe-" + System.nanoTime()).toString()));
    MachineCpu machine = MachineCpu.read();
    Process p = BenchProcesses.start(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || !out.contains("ready-ms=") || !out.contains("accepting-ms=") || !out.contains("cpu-ms=")) {
      throw new IllegalStateException("startup probe failed (exit " + p.exitValue() + "): " + out);
    }
    return new Probe(probeValue(out, "accepting-ms="), probeValue(out, "ready-ms="), probeValue(out, "cpu-ms="),
        (long) probeValue(out, "classes="), probeValue(out, "jit-ms="), probeValue(out, "gc-ms="),
        MachineCpu.read().busySince(machine));
  }

  private static double probeValue(String out, String name) {
    return Double.parseDouble(out.substring(out.indexOf(name) + name.length()).trim().split("\\s")[0]);
  }
}
