package dev.tilefarm.bench.pipeline;

/** A section that measures on the bench's shared farm, which it is handed. */
interface SharedFarmSection extends Section {
  @Override
  default boolean sharesFarm() {
    return true;
  }

  @Override
  default Result run(Bench bench) throws Exception {
    return run(bench, bench.sharedFarm());
  }

  Result run(Bench bench, BenchFarm farm) throws Exception;
}
