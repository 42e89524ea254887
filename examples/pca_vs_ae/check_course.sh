#!/usr/bin/env bash
# The course's acceptance checks on real MNIST (docs/course.md): runs
# pca_vs_ae_full (10 epochs per model, d = 2, 4, 8, 16, 32) and checks its
# table:
#   - the MLP autoencoder's test error is below PCA's at every d;
#   - the linear autoencoder (no bias) ends within 5% of PCA's at d = 32,
#     and within 1% of uncentred PCA's (its optimum) at every d;
#   - the linear autoencoder with a bias ends within 5% of PCA's at every d.
#   check_course.sh PCA_VS_AE_FULL_BINARY OUT_DIR [extra pca_vs_ae flags]
# The data comes from scripts/fetch-mnist.sh (AEC_DATA_DIR, else
# $BUILD_DIR/data/mnist).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:?usage: check_course.sh PCA_VS_AE_FULL_BINARY OUT_DIR [flags]}"
OUT="${2:?usage: check_course.sh PCA_VS_AE_FULL_BINARY OUT_DIR [flags]}"
shift 2

data="$("$ROOT/scripts/fetch-mnist.sh")"
mkdir -p "$OUT"
"$BIN" --data "$data" --out "$OUT" --epochs 10 "$@" | tee "$OUT/log.txt" \
  | grep -v '%' || true
table="$OUT/pca_vs_ae.md"
[ -f "$table" ] || { echo "check_course: FAIL: no $table"; exit 1; }

awk -F'|' '
  /^[|] [0-9]/ {
    d = $2 + 0; pca = $3 + 0; unc = $4 + 0
    mlp = $5; lin = $6; bias = $7
    if (d == 32) saw32 = 1
    if (mlp !~ /[0-9]/ || lin !~ /[0-9]/ || bias !~ /[0-9]/) {
      printf "d=%d: a model did not run\n", d; bad = 1; next
    }
    ok_mlp = mlp + 0 < pca
    ok_unc = lin / unc - 1 <= 0.01
    ok_bias = bias / pca - 1 <= 0.05
    ok_lin = d != 32 || lin / pca - 1 <= 0.05
    printf "d=%d: MLP AE %.5f vs PCA %.5f (%s); linear AE %+.2f%% of PCA%s, %+.2f%% of uncentred PCA (%s); with bias %+.2f%% of PCA (%s)\n", \
      d, mlp, pca, ok_mlp ? "below: ok" : "NOT below: FAIL", 100 * (lin / pca - 1), \
      d == 32 ? (ok_lin ? " (within 5%: ok)" : " (NOT within 5%: FAIL)") : "", \
      100 * (lin / unc - 1), ok_unc ? "ok" : "FAIL", 100 * (bias / pca - 1), ok_bias ? "ok" : "FAIL"
    if (!ok_mlp || !ok_unc || !ok_bias || !ok_lin) bad = 1
  }
  END {
    if (!saw32) { print "no row for d=32"; bad = 1 }
    print bad ? "check_course: FAIL" : "check_course: OK"
    exit bad
  }' "$table"
