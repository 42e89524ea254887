#!/usr/bin/env bash
# bench/compile_depth.sh - aec's compile time: the MNIST VAE and MLP AE of
# examples/ and generated MLPs of growing depth (bench.py gen-deep: L
# `dense(64) relu` layers), each at every -j of --jobs, timed with
# /usr/bin/time -v (wall time, peak RSS) and --mlir-timing (MLIR passes vs
# LLVM). Prints a table (medians); with --jsonl, appends every measurement
# as a JSON line (bench.py time-v) for bench/run.sh's report.
#
#   bench/compile_depth.sh [--aec PATH] [--dir DIR] [--reps N]
#       [--layers "10 100 1000"] [--jobs "0 1"] [--timeout S] [--jsonl FILE]
#
# Defaults: build/bin/aec, a temporary folder, 3 repetitions (1 for depths
# over 10), depths 10 100 1000, -j0 (default: one thread per core) and -j1,
# 300 s per compile. A depth whose compile would exceed the time limit even
# at linear growth from the previous depth is not run. Repetitions are
# interleaved over the -j values, after one untimed warm-up compile. Run it
# on a quiet machine (see `uptime`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
AEC="$ROOT/build/bin/aec"
DIR=""
REPS=3
LAYERS="10 100 1000"
JOBS="0 1"
TIMEOUT=300
JSONL_OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
  --aec) AEC=$2; shift 2 ;;
  --dir) DIR=$2; shift 2 ;;
  --reps) REPS=$2; shift 2 ;;
  --layers) LAYERS=$2; shift 2 ;;
  --jobs) JOBS=$2; shift 2 ;;
  --timeout) TIMEOUT=$2; shift 2 ;;
  --jsonl) JSONL_OUT=$2; shift 2 ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "compile_depth.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$DIR" ] || { DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT; }
mkdir -p "$DIR"
PY=python3
JSONL="$DIR/compile.jsonl"
: >"$JSONL"
log() { echo "compile_depth: $*" >&2; }
log "load: $(uptime)"

# compile NAME FILE.ae JOBS REP: one timed compile, one JSON line.
compile() {
  local name=$1 file=$2 jobs=$3 rep=$4 tv="$DIR/$1.j$3.time" rc=0
  /usr/bin/time -v -o "$tv" timeout -k 10 "$TIMEOUT" "$AEC" "-j$jobs" "$file" \
    -o "$DIR/$name.j$jobs.o" --mlir-timing 2>"$DIR/$name.j$jobs.timing" || rc=$?
  local cmd="aec -j$jobs ${file#"$ROOT"/} -o $name.o"
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo '{}' | "$PY" "$BENCH/bench.py" tag --kind compile --rep "$rep" --cmd "$cmd" \
      "model=$name" "jobs:=$jobs" timed_out:=true "timeout_s:=$TIMEOUT" >>"$JSONL"
    log "$name -j$jobs: killed after $TIMEOUT s"
    return
  fi
  cat "$DIR/$name.j$jobs.timing" >>"$tv"
  "$PY" "$BENCH/bench.py" time-v --kind compile --rep "$rep" --cmd "$cmd" "model=$name" \
    "jobs:=$jobs" "$tv" >>"$JSONL"
  log "$(tail -n 1 "$JSONL")"
}

# One untimed compile first, so that the timed ones all find aec, MLIR's and
# LLVM's libraries in the page cache.
"$AEC" "$ROOT/examples/mnist_vae.ae" -o "$DIR/warmup.o"
for rep in $(seq "$REPS"); do
  for m in mnist_vae mnist_ae; do
    for j in $JOBS; do compile "$m" "$ROOT/examples/$m.ae" "$j" "$rep"; done
  done
done
prev=""
for L in $LAYERS; do
  "$PY" "$BENCH/bench.py" gen-deep "$DIR" "$L"
  if [ -n "$prev" ]; then
    # Skip a depth that cannot finish in time even if compile time grew
    # only linearly from the previous one (at the slowest -j).
    bound="$("$PY" "$BENCH/bench.py" lower-bound "$JSONL" "deep$prev" "$prev" "$L")"
    if [ "$bound" = timeout ] || awk -v b="$bound" -v t="$TIMEOUT" 'BEGIN { exit !(b > t) }'; then
      log "deep$L not compiled: at least $bound s expected (limit $TIMEOUT s)"
      echo '{}' | "$PY" "$BENCH/bench.py" tag --kind compile --rep 1 "model=deep$L" \
        skipped:=true "from=deep$prev" "lower_bound=$bound" "timeout_s:=$TIMEOUT" >>"$JSONL"
      prev="$L"
      continue
    fi
  fi
  runs=1
  [ "$L" -le 10 ] && runs=$REPS
  for rep in $(seq "$runs"); do
    for j in $JOBS; do compile "deep$L" "$DIR/deep$L.ae" "$j" "$rep"; done
  done
  prev="$L"
done
log "load: $(uptime)"

"$PY" "$BENCH/bench.py" compile-table "$JSONL"
[ -z "$JSONL_OUT" ] || cat "$JSONL" >>"$JSONL_OUT"
