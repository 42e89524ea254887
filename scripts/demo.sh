#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing,
# builds aec, and compiles every example model through every stage, printing
# each stage's size and the model summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
export BUILD_DIR

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"

AEC="$BUILD_DIR/bin/aec"
OUT="$BUILD_DIR/demo"
mkdir -p "$OUT"

stages=(ast ae ae-grad linalg llvm-mlir llvm asm obj)
for model in "$ROOT"/examples/*.ae; do
  name="$(basename "$model" .ae)"
  echo "== $name ($model)"
  "$AEC" --emit=ast "$model"
  for stage in "${stages[@]}"; do
    out="$OUT/$name.$stage"
    if "$AEC" --emit="$stage" "$model" -o "$out" 2>"$out.err"; then
      printf '  --emit=%-10s %8d bytes  %s\n' "$stage" "$(stat -c %s "$out")" "$out"
    else
      printf '  --emit=%-10s not available: %s\n' "$stage" "$(head -1 "$out.err")"
    fi
    rm -f "$out.err"
  done
done
echo "demo: outputs in $OUT"
