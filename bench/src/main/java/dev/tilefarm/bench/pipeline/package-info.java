/**
 * The pipeline benchmarks behind {@code tilefarm bench}: one {@link dev.tilefarm.bench.pipeline.Section} per figure
 * family (start-up, overhead, latency, throughput, processing against OpenCV with each process's peak memory against
 * libvips, scaling, memory), each measuring the farm against its reference in the same run, and
 * {@link dev.tilefarm.bench.pipeline.PipelineReport}, which writes their rows and notes into BENCHMARKS.md. A section
 * names the measured bottleneck of each aim it does not reach in a note, with the choices in
 * {@link dev.tilefarm.bench.pipeline.Bottleneck}; every process it starts goes through
 * {@link dev.tilefarm.bench.pipeline.BenchProcesses}, so none outlives the bench.
 *
 * <p>The sections see the farm only through {@link dev.tilefarm.bench.pipeline.Bench} and
 * {@link dev.tilefarm.bench.pipeline.BenchFarm}, which the CLI (the module that assembles every role) implements:
 * this module depends on the roles' libraries, never on the CLI.
 */
package dev.tilefarm.bench.pipeline;
