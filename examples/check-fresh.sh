#!/usr/bin/env bash
# Runs every example in examples/ with the README's command, on a fresh data directory (a new
# TILEFARM_DATA_DIR: an embedded farm with an empty broker and an empty bucket), as a new user would.
# Sizes and samples are cut down so the whole check takes a few minutes; the inputs are the README's.
# Exits 1 naming the first command that fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export TILEFARM_DATA_DIR="$(mktemp -d -t tilefarm-fresh-XXXXXX)"
out="$(mktemp -d -t tilefarm-examples-XXXXXX)"
echo "fresh data directory: $TILEFARM_DATA_DIR; images in $out"
run() {
  echo "== tilefarm $*"
  if ! ./tilefarm "$@"; then
    echo "FAILED on a fresh data directory: tilefarm $*" >&2
    exit 1
  fi
}
run render examples/scenes/spheres.json -o "$out/spheres.png" --size 320x180 --tile 64 --samples 4
run render examples/scenes/cornell-box.json -o "$out/cornell.png" --size 128x128 --samples 4
run render examples/scenes/material-showcase.json -o "$out/showcase.png" --size 160x90 --samples 4
run render examples/scenes/gltf-example -o "$out/prims.png" --size 160x90 --samples 4
run render examples/scenes/obj-example -o "$out/gem.png" --size 160x90 --samples 4
run render examples/jobs/mandelbrot.json -o "$out/mandel.png"
run process examples/images/still-life.png -o "$out/still-life.png" --op gaussian-blur:sigma=2.5 --op grayscale
# Every job file, each on the fresh data directory as it is (photo-blur-gray.json names a local image).
for job in examples/jobs/*.json; do
  rm -rf "$TILEFARM_DATA_DIR"; mkdir -p "$TILEFARM_DATA_DIR"
  run submit "$job" --wait
done
echo "every example ran on a fresh data directory"
rm -rf "$TILEFARM_DATA_DIR"
