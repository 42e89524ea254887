#!/usr/bin/env bash
# Checks pca_vs_ae's PCA test errors on real MNIST against reference values
# measured independently (mean squared error per pixel, 10k test images,
# PCA fitted on the 60k training images): each must be within 1%.
#   check_mnist_pca.sh PCA_VS_AE_BINARY [OUT_DIR]
# The data comes from scripts/fetch-mnist.sh (AEC_DATA_DIR, else
# $BUILD_DIR/data/mnist; downloaded once, then verified from the cache).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${1:?usage: check_mnist_pca.sh PCA_VS_AE_BINARY [OUT_DIR]}"
OUT="${2:-$(mktemp -d)}"

data="$("$ROOT/scripts/fetch-mnist.sh")"
log="$OUT/pca_only.log"
mkdir -p "$OUT"
"$BIN" --pca-only --data "$data" --out "$OUT" >"$log"

status=0
for ref in 2:0.0557 4:0.0479 8:0.0374 16:0.0269 32:0.0168; do
  d="${ref%%:*}"
  want="${ref#*:}"
  got="$(awk -v d="$d" '$1 == "PCA" && $2 == "d=" d ":" { sub(",", "", $5); print $5 }' "$log")"
  if [ -z "$got" ]; then
    echo "check_mnist_pca: d=$d: no result in $log"
    status=1
    continue
  fi
  verdict="$(awk -v g="$got" -v w="$want" 'BEGIN { r = (g - w) / w; if (r < 0) r = -r; printf "%s %.2f%%", (r <= 0.01 ? "ok" : "FAIL"), 100 * r }')"
  echo "check_mnist_pca: d=$d test mse $got, reference $want: $verdict"
  case "$verdict" in ok*) ;; *) status=1 ;; esac
done
exit $status
