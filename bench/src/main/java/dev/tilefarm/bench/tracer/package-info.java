/** JMH benchmarks of the builtin path tracer: ray-triangle throughput and samples per second. */
package dev.tilefarm.bench.tracer;
