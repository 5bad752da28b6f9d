/**
 * The pipeline benchmarks behind {@code tilefarm bench}: one {@link dev.tilefarm.bench.pipeline.Section} per figure
 * family (start-up, overhead, latency, throughput, processing, scaling, memory), each measuring the farm against its
 * reference in the same run, and {@link dev.tilefarm.bench.pipeline.PipelineReport}, which writes their rows and
 * notes into BENCHMARKS.md.
 *
 * <p>The sections see the farm only through {@link dev.tilefarm.bench.pipeline.Bench} and
 * {@link dev.tilefarm.bench.pipeline.BenchFarm}, which the CLI (the module that assembles every role) implements:
 * this module depends on the roles' libraries, never on the CLI.
 */
package dev.tilefarm.bench.pipeline;
