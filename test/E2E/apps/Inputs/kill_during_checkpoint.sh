#!/usr/bin/env bash
# Kills a training app (examples/train/aec_train.c) with SIGKILL while it
# writes its checkpoints, and checks after every kill that checkpoint.txt
# names a checkpoint file that exists and is complete.
#
#   kill_during_checkpoint.sh mid-write TRAIN OUT EPOCH [train args...]
#     Deterministic: starts a fresh run of EPOCH epochs and kills the app
#     while it is blocked in the middle of writing the checkpoint of EPOCH
#     (after writing those of epochs 1..EPOCH-1). The runtime writes a
#     checkpoint to "<file>.tmp.<pid>" and renames it; a FIFO put at that
#     name (the app is held stopped until it exists) takes the first 4096
#     bytes and then stops reading, so the app's write blocks there until
#     the kill.
#
#   kill_during_checkpoint.sh random TRAIN OUT EPOCHS [train args...]
#     Eight times: starts (or resumes) a run of EPOCHS epochs, waits until
#     it has named a new checkpoint, and kills it after a delay from a list
#     (0 to 30 ms), i.e. at some point of the next epoch, most of which is
#     its checkpoint write when epochs are tiny. A run may also finish.
#
# Prints one line per kill; exits non-zero on any inconsistency.
set -euo pipefail
mode="$1" train="$2" out="$3" epochs="$4"
shift 4

fail() { echo "kill_during_checkpoint: FAIL: $*" >&2; exit 1; }

# checkpoint.txt names a file that exists and is not empty; prints its epoch.
check_consistent() {
  [ -f "$out/checkpoint.txt" ] || fail "no checkpoint.txt in $out"
  local file epoch
  file="$(awk '$1 == "file" { print $2 }' "$out/checkpoint.txt")"
  epoch="$(awk '$1 == "epoch" { print $2 }' "$out/checkpoint.txt")"
  [ -n "$file" ] && [ -n "$epoch" ] || fail "malformed checkpoint.txt"
  [ -s "$out/$file" ] || fail "checkpoint.txt names $file, which is missing"
  [ "$file" = "checkpoint-e$epoch.bin" ] || fail "epoch $epoch but file $file"
  echo "$epoch"
}

# Waits (at most 30 s) until `test $@` holds.
wait_for() {
  for _ in $(seq 300); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# The epoch checkpoint.txt names, 0 if none.
named_epoch() {
  awk '$1 == "epoch" { print $2 }' "$out/checkpoint.txt" 2>/dev/null || echo 0
}

is_stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
has_bytes() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

case "$mode" in
mid-write)
  # The run, held stopped until the FIFO is at its temp file name.
  mkdir -p "$out"
  sh -c 'kill -STOP $$; exec "$@"' sh "$train" --out "$out" \
    --epochs "$epochs" "$@" >"$out.mid-write.log" 2>&1 &
  app=$!
  wait_for is_stopped "$app" || fail "the app did not stop"
  fifo="$out/checkpoint-e$epochs.bin.tmp.$app"
  mkfifo "$fifo"
  # The reader keeps the FIFO open (exec sleep) after taking 4096 bytes.
  (exec 3<"$fifo"; head -c 4096 <&3 >"$out.partial"; exec sleep 60) \
    >/dev/null 2>&1 &
  reader=$!
  kill -CONT "$app"
  if ! wait_for has_bytes "$out.partial" 4096; then
    kill -KILL "$app" "$reader" 2>/dev/null || true
    fail "the app never wrote to $fifo (did the runtime's temp file name change?)"
  fi
  sleep 0.2
  kill -0 "$app" 2>/dev/null || fail "the app is not blocked in its write"
  kill -KILL "$app"
  rc=0
  { wait "$app"; } 2>/dev/null || rc=$?
  kill -KILL "$reader" 2>/dev/null || true
  wait "$reader" 2>/dev/null || true
  [ "$rc" -eq 137 ] || fail "the app exited with $rc, not by SIGKILL"
  got="$(check_consistent)"
  echo "killed mid-write of checkpoint $epochs: checkpoint.txt names epoch $got"
  [ "$got" = $((epochs - 1)) ] || fail "expected epoch $((epochs - 1))"
  [ ! -e "$out/checkpoint-e$epochs.bin" ] || fail "a checkpoint-e$epochs.bin exists"
  ;;
random)
  kills=0
  for delay in 0 0.004 0.012 0.001 0.02 0.007 0.03 0.016; do
    resume=()
    [ -f "$out/checkpoint.txt" ] && resume=(--resume)
    before="$(named_epoch)"
    "$train" --out "$out" --epochs "$epochs" "${resume[@]}" "$@" \
      >>"$out.random.log" 2>&1 &
    app=$!
    # Until a new checkpoint is named or the run ends (at most 60 s).
    for _ in $(seq 12000); do
      now="$(named_epoch)"
      if [ "${now:-0}" -gt "${before:-0}" ] || ! kill -0 "$app" 2>/dev/null; then
        break
      fi
      sleep 0.005
    done
    sleep "$delay"
    kill -KILL "$app" 2>/dev/null || true
    rc=0
    { wait "$app"; } 2>/dev/null || rc=$?
    case "$rc" in
    137) kills=$((kills + 1)) ;;
    0) ;;
    *) fail "a run exited with $rc (see $out.random.log)" ;;
    esac
    if [ -f "$out/checkpoint.txt" ]; then
      got="$(check_consistent)"
      echo "$delay s after epoch $before (exit $rc): checkpoint.txt names epoch $got"
    else
      echo "$delay s after epoch $before (exit $rc): no checkpoint yet"
    fi
  done
  echo "killed $kills runs"
  ;;
*)
  fail "unknown mode '$mode'"
  ;;
esac
