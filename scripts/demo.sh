#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing,
# builds aec and its runtime libaert, fetches real MNIST, compiles
# examples/mnist_ae.ae into an object file and a C header, links it with the
# training app examples/train/aec_train.c, trains it for 5 epochs and writes
# the figures (reconstructions, interpolations, samples).
#   BUILD_DIR     build folder (default: build)
#   AEC_DATA_DIR  MNIST folder (default: $BUILD_DIR/data/mnist)
#   EPOCHS        training epochs (default: 5)
#   JOBS          parallel build jobs (default: the number of cores)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
EPOCHS="${EPOCHS:-5}"
JOBS="${JOBS:-$(nproc)}"
export BUILD_DIR

START=$SECONDS
stage() { printf '\n== [%3ds] %s\n' "$((SECONDS - START))" "$*"; }

stage "1/6 setup: Debian packages"
"$ROOT/scripts/setup.sh"

stage "2/6 build: aec and libaert (only what the demo needs)"
mkdir -p "$BUILD_DIR"
BUILD_LOG="$BUILD_DIR/demo-build.log"
echo "cmake + ninja -j $JOBS in $BUILD_DIR (log: $BUILD_LOG)"
if ! "$ROOT/scripts/build.sh" --target aec aert -j "$JOBS" >"$BUILD_LOG" 2>&1; then
  tail -n 40 "$BUILD_LOG"
  echo "demo: error: the build failed (log: $BUILD_LOG)" >&2
  exit 1
fi
AEC="$BUILD_DIR/bin/aec"
echo "built $AEC and $BUILD_DIR/lib/libaert.so"

stage "3/6 data: real MNIST"
DATA="$("$ROOT/scripts/fetch-mnist.sh")"
echo "MNIST in $DATA"

OUT="$BUILD_DIR/demo"
MODEL="$ROOT/examples/mnist_ae.ae"
mkdir -p "$OUT"
stage "4/6 compile: aec examples/mnist_ae.ae -o $OUT/mnist_ae.o"
cat "$MODEL"
echo
# The front stages are cheap to print; `aec --emit=llvm-mlir|llvm|asm`
# print the rest of the pipeline.
for emit in ast ae ae-grad linalg; do
  "$AEC" --emit="$emit" "$MODEL" -o "$OUT/mnist_ae.$emit"
  printf '  aec --emit=%-8s %8d bytes  %s\n' "$emit" \
    "$(stat -c %s "$OUT/mnist_ae.$emit")" "$OUT/mnist_ae.$emit"
done
"$AEC" "$MODEL" -o "$OUT/mnist_ae.o"
printf '  aec -o mnist_ae.o  %8d bytes  %s\n' "$(stat -c %s "$OUT/mnist_ae.o")" \
  "$OUT/mnist_ae.o"
printf '  and its header     %8d bytes  %s:\n' "$(stat -c %s "$OUT/mnist_ae.h")" \
  "$OUT/mnist_ae.h"
grep -E '^[a-z].*mnist_ae_[a-z_]+\(' "$OUT/mnist_ae.h" | sed 's/^/    /'

stage "5/6 link: aec_train.c + mnist_ae.o + libaert"
link=(cc -O2 -std=c11 -DAE_MODEL=mnist_ae '-DAE_HEADER="mnist_ae.h"'
  -I"$OUT" -I"$ROOT/runtime" "$ROOT/examples/train/aec_train.c"
  "$OUT/mnist_ae.o" -L"$BUILD_DIR/lib" -laert -lm
  -Wl,-rpath,"$BUILD_DIR/lib" -o "$OUT/train_mnist_ae")
echo "${link[*]}"
"${link[@]}"

stage "6/6 train: $EPOCHS epochs on the 60000 training images"
"$OUT/train_mnist_ae" --data "$DATA" --out "$OUT/mnist_ae" --epochs "$EPOCHS"

stage "done in $((SECONDS - START)) s. The outputs of the training run:"
for f in reconstructions.png interpolation.png samples.png metrics.csv \
  checkpoint.txt; do
  echo "  $OUT/mnist_ae/$f"
done
cat <<EOF
reconstructions.png: 16 test digits (top row) over their reconstructions;
interpolation.png:   8 rows decoding the straight line between two digits'
                     codes; samples.png: decodes of codes drawn from a
                     Gaussian fitted to the training codes.
The other example models train the same way (examples/*.ae, see README.md):
  ninja -C $BUILD_DIR aec_train_mnist_vae2 && $BUILD_DIR/bin/aec_train_mnist_vae2 --data $DATA
EOF
