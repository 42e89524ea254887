#!/usr/bin/env bash
# bench/run.sh - aec against PyTorch and OpenBLAS on this machine, in one run:
# training throughput, encode+decode latency, dense-layer GEMMs, peak memory
# and aec's compile time. Writes bench/RESULTS.md and bench/results.jsonl.
# Not part of the tests. See bench/README.md.
#
# Settings (environment):
#   BUILD_DIR           aec build folder (default: build-bench)
#   AEC_DATA_DIR        MNIST folder (default: fetched by scripts/fetch-mnist.sh)
#   BENCH_REPS          interleaved repetitions of each measurement (3)
#   BENCH_STEPS         timed training steps per measurement (200)
#   BENCH_WARMUP        untimed training steps before them (20)
#   BENCH_RSS_STEPS     training steps of the peak-memory runs (100)
#   BENCH_DEEP          layer counts of the compile-time MLPs ("10 100 1000")
#   BENCH_DEEP_TIMEOUT  seconds after which one aec compile is stopped (300);
#                       a deeper model whose compile would take longer even
#                       at linear growth from the previous one is not run
#   BENCH_MAX_SECONDS   cap of one timed training loop, in seconds (8):
#                       it stops early (and says so) past the cap
#   BENCH_JOBS          parallel build jobs (2)
#   BENCH_OUT_DIR       where RESULTS.md and results.jsonl go (bench/)
#   BENCH_NOTE          a sentence for RESULTS.md (e.g. what else ran)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
WORK="$BUILD_DIR/bench"
REPS="${BENCH_REPS:-3}"
STEPS="${BENCH_STEPS:-200}"
WARMUP="${BENCH_WARMUP:-20}"
RSS_STEPS="${BENCH_RSS_STEPS:-100}"
DEEP="${BENCH_DEEP:-10 100 1000}"
DEEP_TIMEOUT="${BENCH_DEEP_TIMEOUT:-300}"
MAX_SECONDS="${BENCH_MAX_SECONDS:-8}"
JOBS="${BENCH_JOBS:-2}"
OUT_DIR="${BENCH_OUT_DIR:-$BENCH}"
THREADS=(1 2)
BATCH=128

OPENBLAS_OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
PY=/usr/bin/python3 # Debian's: the only one with torch
# PyTorch at its best (shared/NOTES-MLIR22.md): OpenMP OpenBLAS, its own
# core detection (OPENBLAS_CORETYPE unset), and glibc malloc keeping freed
# memory: by default every tensor above the dynamic mmap threshold is a
# fresh mmap (or heap memory trimmed back to the kernel), so each step
# page-faults its temporaries in again; on this VM that made PyTorch's
# training 4-5x slower (VAE, one thread: about 7.5k samples/s against 34k
# with these two settings). The out-of-the-box malloc is measured too
# (TORCH_GLIBC_MALLOC), for reference.
TORCH_ENV=(env -u OPENBLAS_CORETYPE LD_LIBRARY_PATH="$OPENBLAS_OMP")
TORCH=("${TORCH_ENV[@]}" MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824 "$PY")
TORCH_GLIBC_MALLOC=("${TORCH_ENV[@]}" "$PY")

START=$(date +%s)
log() { echo "bench: [$(($(date +%s) - START)) s] $*" >&2; }

# ---- 1. Packages ---------------------------------------------------------------
"$ROOT/scripts/setup.sh"
PEER_PACKAGES=(python3-torch libopenblas0-openmp libopenblas-dev time)
missing=()
for p in "${PEER_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "error: missing ${missing[*]}, not root, no sudo"; exit 1; }
    SUDO=sudo
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. Data and build ----------------------------------------------------------
DATA="$(BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/fetch-mnist.sh" | tail -n 1)"
log "MNIST in $DATA"
BUILD_DIR="$BUILD_DIR" "$ROOT/scripts/build.sh" --target aec aec-backend aert -j "$JOBS"
AEC="$BUILD_DIR/bin/aec"
AEC_BACKEND="$BUILD_DIR/bin/aec-backend"
LIBDIR="$BUILD_DIR/lib"

mkdir -p "$WORK/models" "$WORK/gemm" "$WORK/compile" "$WORK/rss"
JSONL="$WORK/results.jsonl"
: >"$JSONL"
CC="${CC:-gcc}"
CFLAGS=(-O2 -Wall -Wextra -std=c11 -I"$ROOT/runtime" -I"$BENCH")
LDAERT=(-L"$LIBDIR" -Wl,-rpath,"$LIBDIR" -laert -lm)

# Appends JSON records to $JSONL: tag KIND REP [key=value ...] < json lines
tag() {
  local kind=$1 rep=$2 cmd=$3
  shift 3
  "$PY" "$BENCH/bench.py" tag --kind "$kind" --rep "$rep" --cmd "$cmd" "$@" >>"$JSONL"
}

# Printable command line, paths relative to the checkout.
show() {
  local s
  s="$(printf '%q ' "$@")"
  s="${s% }"
  echo "${s//$ROOT\//}"
}

# measure KIND REP [key=value ...] -- command...: runs the command, records
# its JSON output lines (or an error record) with the given fields.
measure() {
  local kind=$1 rep=$2
  shift 2
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local cmd out rc=0
  cmd="$(show "$@")"
  out="$(mktemp)"
  "$@" >"$out" 2>"$out.err" || rc=$?
  if [ $rc -eq 0 ]; then
    tag "$kind" "$rep" "$cmd" "${extra[@]}" <"$out"
  else
    log "failed ($rc): $cmd"
    tail -n 5 "$out.err" >&2 || true
    echo '{}' | tag "$kind" "$rep" "$cmd" "${extra[@]}" \
      "error=exit $rc: $(tail -c 300 "$out.err" | tr '\n"' ' _')"
  fi
  rm -f "$out" "$out.err"
}

note_load() {
  local up
  up="$(uptime)"
  echo '{}' | tag "$1" 0 "uptime" "uptime=$up" \
    "load1:=$(cut -d' ' -f1 /proc/loadavg)" "phase=${2:-}" \
    "elapsed_s:=$(($(date +%s) - START))"
}

# Busy fraction of all cores over 3 s while the benchmark itself does
# nothing: what other processes take (the load average also counts this
# script's own previous phase, so it is never low right after one).
cpu_busy() {
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 3
  read -r -a b < <(grep '^cpu ' /proc/stat)
  awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
    n = split(a, x, " "); split(b, y, " "); total = 0
    for (i = 2; i <= n; ++i) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%.3f", (total > 0 ? 1 - idle / total : 0) }'
}
note_busy() { # KIND: other processes' CPU share now
  echo '{}' | tag "$1" 0 "/proc/stat over 3 s" "busy:=$(cpu_busy)"
}

sleep 5 # let the build's processes exit
note_busy busy_before
note_load load_before start
log "load before: $(uptime)"

# ---- 3. Models and harnesses ------------------------------------------------------
compile_model() { # NAME FILE.ae: aec FILE -o $WORK/models/NAME.o
  "$AEC" "$2" -o "$WORK/models/$1.o"
}
harness() { # NAME: bench_aec_NAME
  "$CC" "${CFLAGS[@]}" -DAE_MODEL="$1" "-DAE_HEADER=\"$1.h\"" -I"$WORK/models" \
    "$BENCH/bench_aec.c" "$WORK/models/$1.o" "${LDAERT[@]}" -o "$WORK/bench_aec_$1"
}
log "compiling the benchmark models with aec"
for m in mnist_vae mnist_ae small; do
  compile_model "$m" "$ROOT/examples/$m.ae"
  harness "$m"
done
compile_model mnist_conv "$BENCH/models/mnist_conv.ae"
harness mnist_conv

# The MNIST training app (examples/train/aec_train.c) for the memory runs.
for m in mnist_ae mnist_vae; do
  "$CC" -O2 -DAE_MODEL="$m" "-DAE_HEADER=\"$m.h\"" -I"$WORK/models" -I"$ROOT/runtime" \
    "$ROOT/examples/train/aec_train.c" "$WORK/models/$m.o" "${LDAERT[@]}" \
    -o "$WORK/aec_train_$m" ||
    log "warning: aec_train_$m did not build; its memory row will be missing"
done

# One-layer models for the GEMM shapes.
log "compiling the one-layer GEMM models"
gemm_models="$("$PY" "$BENCH/bench.py" gen-gemm "$WORK/gemm")"
gemm_objects=()
for name in $gemm_models; do
  "$AEC" "$WORK/gemm/$name.ae" -o "$WORK/gemm/$name.o"
  gemm_objects+=("$WORK/gemm/$name.o")
done
"$CC" "${CFLAGS[@]}" -I"$WORK/gemm" "$BENCH/bench_gemm_aec.c" "$WORK/gemm/gemm_registry.c" \
  "${gemm_objects[@]}" "${LDAERT[@]}" -o "$WORK/bench_gemm_aec"
# The backward GEMMs as training runs them: kernels on the kernel ABI
# (aec-backend compiles .mlir with aec's pipeline; no C API wrappers).
log "compiling the backward GEMM kernels"
train_kernels="$("$PY" "$BENCH/bench.py" gen-gemm-train "$WORK/gemm_train")"
train_objects=()
for name in $train_kernels; do
  "$AEC_BACKEND" "$WORK/gemm_train/$name.mlir" --emit=obj --no-c-api -o "$WORK/gemm_train/$name.o"
  train_objects+=("$WORK/gemm_train/$name.o")
done
"$CC" "${CFLAGS[@]}" "$BENCH/bench_gemm_train.c" "$WORK/gemm_train/gemm_train_registry.c" \
  "${train_objects[@]}" "${LDAERT[@]}" -o "$WORK/bench_gemm_train"
"$CC" "${CFLAGS[@]}" "$BENCH/bench_gemm_blas.c" "$OPENBLAS_OMP/libopenblas.so.0" \
  -Wl,-rpath,"$OPENBLAS_OMP" -o "$WORK/bench_gemm_blas"

# ---- 4. Machine and versions -------------------------------------------------------
cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
flag() { grep -m1 '^flags' /proc/cpuinfo | grep -qw "$1" && echo yes || echo no; }
AVX512="$(flag avx512f)"
GEMM_CORETYPE=""
[ "$AVX512" = yes ] && GEMM_CORETYPE=SkylakeX
corename() { # the OpenBLAS core the OpenMP build picks under the given env
  env "$@" "$PY" -c "import ctypes; l = ctypes.CDLL('$OPENBLAS_OMP/libopenblas.so.0'); \
l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())"
}
torch_version="$("${TORCH[@]}" -c 'import torch; print(torch.__version__)')"
settings="BENCH_REPS=$REPS BENCH_STEPS=$STEPS BENCH_WARMUP=$WARMUP BENCH_RSS_STEPS=$RSS_STEPS"
settings+=" BENCH_DEEP='$DEEP' BENCH_DEEP_TIMEOUT=$DEEP_TIMEOUT BENCH_MAX_SECONDS=$MAX_SECONDS"
deep_json="[$(echo "$DEEP" | tr -s ' ' ',')]"
echo '{}' | tag meta 0 "" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
  "commit=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
  "cpu=$cpu" "cores=$(nproc)" "avx2=$(flag avx2)" "avx512f=$AVX512" \
  "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" \
  "os=$(. /etc/os-release && echo "$PRETTY_NAME")" "kernel=$(uname -r)" \
  "llvm=$(/usr/lib/llvm-22/bin/llvm-config --version 2>/dev/null || echo '?')" \
  "cc=$("$CC" --version | head -n 1)" \
  "torch=$torch_version" \
  "torch_deb=$(dpkg-query -W -f='${Version}' python3-torch)" \
  "openblas=$(dpkg-query -W -f='${Version}' libopenblas0-openmp)" \
  "torch_env=env -u OPENBLAS_CORETYPE LD_LIBRARY_PATH=$OPENBLAS_OMP /usr/bin/python3" \
  "torch_openblas_core=$(corename -u OPENBLAS_CORETYPE)" \
  "gemm_coretype=$GEMM_CORETYPE" \
  "gemm_openblas_core=$(corename ${GEMM_CORETYPE:+OPENBLAS_CORETYPE=$GEMM_CORETYPE})" \
  "threads=1 and 2" "reps:=$REPS" "steps:=$STEPS" "warmup:=$WARMUP" \
  "rss_steps:=$RSS_STEPS" "deep:=$deep_json" "settings=$settings" \
  "max_seconds:=$MAX_SECONDS" "deep_timeout:=$DEEP_TIMEOUT" \
  "note=${BENCH_NOTE:-}"

# ---- 5. Training throughput: aec, PyTorch, aec, PyTorch, ... ------------------------
note_load load training
log "training throughput ($REPS x 3 models x ${#THREADS[@]} thread counts x 2)"
for rep in $(seq "$REPS"); do
  for m in mnist_vae mnist_ae mnist_conv; do
    for t in "${THREADS[@]}"; do
      measure train "$rep" -- env AEC_NUM_THREADS="$t" "$WORK/bench_aec_$m" train \
        --data "$DATA" --steps "$STEPS" --warmup "$WARMUP" --batch "$BATCH" \
        --max-seconds "$MAX_SECONDS"
      measure train "$rep" omp_wait=default -- env OMP_NUM_THREADS="$t" "${TORCH[@]}" \
        "$BENCH/torch_bench.py" train --model "$m" --threads "$t" --data "$DATA" \
        --steps "$STEPS" --warmup "$WARMUP" --batch "$BATCH" --max-seconds "$MAX_SECONDS"
      measure train "$rep" omp_wait=default malloc=glibc-default -- env OMP_NUM_THREADS="$t" \
        "${TORCH_GLIBC_MALLOC[@]}" "$BENCH/torch_bench.py" train --model "$m" --threads "$t" \
        --data "$DATA" --steps "$STEPS" --warmup "$WARMUP" --batch "$BATCH" \
        --max-seconds "$MAX_SECONDS"
      if [ "$t" -gt 1 ]; then
        # OpenMP threads that spin at barriers collapse when other processes
        # share the cores; passive waiting is PyTorch's best there.
        measure train "$rep" omp_wait=passive -- env OMP_WAIT_POLICY=PASSIVE \
          OMP_NUM_THREADS="$t" "${TORCH[@]}" "$BENCH/torch_bench.py" train --model "$m" \
          --threads "$t" --data "$DATA" --steps "$STEPS" --warmup "$WARMUP" \
          --batch "$BATCH" --max-seconds "$MAX_SECONDS"
      fi
    done
  done
done

# ---- 6. Encode+decode latency, one thread -------------------------------------------
note_load load latency
log "latency"
for rep in $(seq "$REPS"); do
  for m in small mnist_ae; do
    for b in 1 8; do
      measure latency "$rep" -- env AEC_NUM_THREADS=1 "$WORK/bench_aec_$m" latency --batch "$b"
      measure latency "$rep" -- env OMP_NUM_THREADS=1 "${TORCH[@]}" "$BENCH/torch_bench.py" \
        latency --model "$m" --threads 1 --batch "$b"
    done
  done
done

# ---- 7. GEMM shapes, 1 and 2 threads ---------------------------------------------------
note_load load gemm
log "GEMM shapes"
read -r -a aec_shapes < <("$PY" "$BENCH/bench.py" gemm-args aec)
read -r -a blas_shapes < <("$PY" "$BENCH/bench.py" gemm-args blas)
read -r -a train_shapes < <("$PY" "$BENCH/bench.py" gemm-args aec-train)
# The first layer of the MLP AE, [M, 784] x [784, 512], over batch sizes.
sweep_aec=()
sweep_blas=()
for M in 1 2 4 8 16 32 64 128 256 512; do
  sweep_aec+=("$M" 512 784)
  sweep_blas+=("$M" 512 784 NN)
done
for rep in $(seq "$REPS"); do
  for t in 1 2; do
    measure gemm "$rep" threads:=$t -- env AEC_NUM_THREADS=$t "$WORK/bench_gemm_aec" "${aec_shapes[@]}"
    measure gemm_train "$rep" threads:=$t -- env AEC_NUM_THREADS=$t "$WORK/bench_gemm_train" "${train_shapes[@]}"
    measure gemm "$rep" threads:=$t -- env OMP_NUM_THREADS=$t \
      ${GEMM_CORETYPE:+OPENBLAS_CORETYPE=$GEMM_CORETYPE} "$WORK/bench_gemm_blas" "${blas_shapes[@]}"
  done
  measure gemm_sweep "$rep" -- env AEC_NUM_THREADS=1 "$WORK/bench_gemm_aec" "${sweep_aec[@]}"
  measure gemm_sweep "$rep" -- env OMP_NUM_THREADS=1 \
    ${GEMM_CORETYPE:+OPENBLAS_CORETYPE=$GEMM_CORETYPE} "$WORK/bench_gemm_blas" "${sweep_blas[@]}"
done

# ---- 8. Peak RSS of MNIST training, one thread ----------------------------------------
note_load load rss
log "peak memory"
time_v() { # KIND REP key=value... -- command: /usr/bin/time -v, records RSS
  local kind=$1 rep=$2
  shift 2
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local report
  report="$(mktemp)"
  /usr/bin/time -v -o "$report" "$@" >/dev/null 2>&1 || true
  "$PY" "$BENCH/bench.py" time-v --kind "$kind" --rep "$rep" --cmd "$(show /usr/bin/time -v "$@")" \
    "${extra[@]}" "$report" >>"$JSONL"
  rm -f "$report"
}
for rep in $(seq "$REPS"); do
  for m in mnist_ae mnist_vae; do
    if [ -x "$WORK/aec_train_$m" ]; then
      rm -rf "$WORK/rss/$m"
      time_v rss "$rep" impl=aec "model=$m" -- env AEC_NUM_THREADS=1 "$WORK/aec_train_$m" \
        --epochs 1 --limit $((RSS_STEPS * BATCH)) --batch "$BATCH" --threads 1 \
        --data "$DATA" --out "$WORK/rss/$m"
    fi
    # Out-of-the-box malloc: memory as PyTorch users get it.
    time_v rss "$rep" impl=torch "model=$m" -- env OMP_NUM_THREADS=1 "${TORCH_GLIBC_MALLOC[@]}" \
      "$BENCH/torch_ref.py" --model "$m" --epochs 1 --steps "$RSS_STEPS" --batch "$BATCH" \
      --threads 1 --data "$DATA"
  done
done

# ---- 9. aec compile time ------------------------------------------------------------------
note_load load compile
log "compile time"
# The VAE, the MLP AE and MLPs of depth $DEEP, at aec's default -j and -j1.
"$BENCH/compile_depth.sh" --aec "$AEC" --dir "$WORK/compile" --reps "$REPS" \
  --layers "$DEEP" --jobs "0 1" --timeout "$DEEP_TIMEOUT" --jsonl "$JSONL" >&2

# ---- 10. Report ------------------------------------------------------------------------------
note_busy busy_after
note_load load_after end
log "load after: $(uptime)"
echo '{}' | tag meta_end 0 "" "seconds:=$(($(date +%s) - START))"
"$PY" "$BENCH/bench.py" report "$JSONL" "$WORK/RESULTS.md"
mkdir -p "$OUT_DIR"
cp "$JSONL" "$OUT_DIR/results.jsonl"
cp "$WORK/RESULTS.md" "$OUT_DIR/RESULTS.md"
log "done in $(($(date +%s) - START)) s: $OUT_DIR/RESULTS.md"
