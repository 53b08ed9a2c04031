#!/usr/bin/env bash
# One command for a GPU test machine (NVIDIA H100/H200, no internet, the checkout plus at most
# 64 MiB of carried files): prints, in one run, inference and training rates of compact and
# space2vec on ONNX Runtime CPU, ONNX Runtime's WebGPU EP and tfjs WebGPU (Dawn), with the device
# of each and its difference to the CPU (bench/gpuCheck.ts).
#
# What to carry: `.gpu-bundle.tar.xz` (made here by `node scripts/gpu-bundle.mjs`, ~41 MiB):
# gpu-check.mjs (our code and tfjs in one file), node_modules/{onnxruntime-node,onnxruntime-common,
# webgpu} with linux-x64 binaries only, the Vulkan loader libvulkan.so.1, and a node binary for a
# machine without one. Without the bundle, on a machine with node_modules (a dev checkout, or
# here on lavapipe), the program is bundled on the fly.
# Then the app's own CLI on a simulated night (ingest + scoring, the one-click retrain, scoring
# again), each step saying which engine and device it chose.
# Sizes: GPU_CHECK_SECONDS, GPU_CHECK_INFER_BATCH, GPU_CHECK_TRAIN_BATCH, GPU_CHECK_ARCHS,
# GPU_CHECK_APP_N (candidates, default 4000), GPU_CHECK_APP_LABELS (default 2000),
# GPU_CHECK_APP_EPOCHS (default 3).
# GPU_CHECK_NIGHT_N (default none): then also a night of that many candidates end to end
# (scripts/night.mjs, in chunks of GPU_CHECK_NIGHT_CHUNK, default 100000): wall times and peak RSS.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

echo "== gpu-check $(date -u +%FT%TZ) on $(hostname)"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi: not found"
fi
ICDS=$(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | grep -i json | tr '\n' ' ')
echo "Vulkan ICDs: ${ICDS:-none}"

WORK=$(mktemp -d /tmp/skysift-gpu-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ -f "$ROOT/.gpu-bundle.tar.xz" ]; then
  tar -C "$WORK" -xJf "$ROOT/.gpu-bundle.tar.xz" || { echo "gpu-check: cannot unpack .gpu-bundle.tar.xz"; exit 2; }
  DIR="$WORK/.gpu-bundle"
  echo "bundle: .gpu-bundle.tar.xz unpacked"
elif [ -d "$ROOT/node_modules/onnxruntime-node" ]; then
  DIR="$WORK/run"
  mkdir -p "$DIR"
  npx rolldown bench/gpuCheck.ts --dir "$DIR" --format esm --platform node --no-code-splitting \
    --entry-file-names gpu-check.mjs --no-treeshake --external onnxruntime-node --external webgpu --log-level warn \
    --banner "$(cat "$ROOT/scripts/esm-banner.txt")" >/dev/null ||
    { echo "gpu-check: bundling bench/gpuCheck.ts failed"; exit 2; }
  ln -s "$ROOT/node_modules" "$DIR/node_modules"
  echo "bundle: none carried; bundled from the checkout's node_modules"
else
  echo "gpu-check: no .gpu-bundle.tar.xz and no node_modules: carry the bundle (node scripts/gpu-bundle.mjs)"
  exit 2
fi

if NODE=$(command -v node); then
  echo "node: $NODE $("$NODE" --version) (this machine's)"
elif [ -x "$DIR/bin/node" ]; then
  NODE="$DIR/bin/node"
  echo "node: none on this machine; using the bundled $("$NODE" --version)"
else
  echo "gpu-check: this machine has no node and the bundle carries none (made with --no-node?)"
  exit 2
fi

# The bundled Vulkan loader only where the system has none.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' && [ -f "$DIR/lib/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "libvulkan.so.1: none on this machine; using the bundled loader"
fi

# Headless (no DISPLAY), the program itself points Vulkan at the NVIDIA driver's EGL library, as the
# app does (src/main/worker/model/backends/headlessNvidiaVulkan.ts) and says so in its "Vulkan:" line.
echo "display: ${DISPLAY:-none}"

(cd "$DIR" && "$NODE" gpu-check.mjs)
FIGURES=$?

# Part 2: the app itself (its CLI, as an astronomer runs it) on a simulated night: ingest scores it
# with the shipped default, then the one-click retrain fine-tunes on labels, then the new version
# scores the night. Each step says which engine and device ran; nothing is forced.
APP_N=${GPU_CHECK_APP_N:-4000}
APP_LABELS=${GPU_CHECK_APP_LABELS:-2000}
# The retrain's epochs: few, to fit a short turn on a lent machine (the app runs to early stopping).
APP_EPOCHS=${GPU_CHECK_APP_EPOCHS:-3}
if [ -f "$DIR/out/main/cli.js" ]; then
  APPDIR="$DIR"
else
  APPDIR="$ROOT"
  (cd "$ROOT" && npx electron-vite build --logLevel warn >/dev/null) || { echo "gpu-check: building the app failed"; exit 2; }
fi
A="$WORK/app"
cli() { "$NODE" "$APPDIR/out/main/cli.js" "$@" --home "$A/home"; }
secs() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(secs)" 'BEGIN { printf "%.1f s", b - a }'; }
echo
echo "== the app on a simulated night of $APP_N candidates ($APP_LABELS labelled), through its CLI"
APP_OK=0
t=$(secs)
cli demo --out "$A/night" --n "$APP_N" --seed 7 2>&1 | grep -E '^wrote' || APP_OK=1
echo "   simulated in $(since "$t")"
t=$(secs)
cli ingest "$A/night" --workspace "$A/ws" 2>&1 | grep -E 'scoring with .*:|^Done|^Scored by' | sed 's/^score \[[^]]*\] [^ ]* [^ ]* //' || APP_OK=1
echo "   ingest and first scoring: $(since "$t")"
awk -F, -v n="$APP_LABELS" 'NR > 7 && NR <= 7 + n { print $1 "," ($2 == 0 ? "real" : "bogus") }' \
  "$A/night/autoscan_features.3.csv" | sed '1i candidateId,label' >"$A/labels.csv"
cli labels import "$A/labels.csv" --workspace "$A/ws" | tail -1 || APP_OK=1
t=$(secs)
cli train --workspace "$A/ws" --epochs "$APP_EPOCHS" 2>&1 | grep -E '^  epoch|^trained by|^held out|^  AUC|^new version' | cut -c1-160 || APP_OK=1
echo "   one-click retrain, $APP_EPOCHS epochs (fine-tuning the default, evaluation, re-scoring): $(since "$t")"
NEW=$(ls -t "$A/home/models" 2>/dev/null | head -1)
t=$(secs)
cli score --workspace "$A/ws" --model "$NEW" 2>&1 | grep -E 'scoring with .*:|^scored' | sed 's/^score \[[^]]*\] [^ ]* [^ ]* //' || APP_OK=1
echo "   scoring with the new version: $(since "$t")"
[ "$APP_OK" = 0 ] && echo "the app ran every step." || echo "an app step failed (above)."

# Part 3 (optional): a survey-sized night through the same CLI, as scripts/night.mjs runs it here.
NIGHT_OK=0
if [ -n "${GPU_CHECK_NIGHT_N:-}" ]; then
  echo
  echo "== a night of $GPU_CHECK_NIGHT_N candidates end to end (scripts/night.mjs); disk: $(df -h /tmp | awk 'NR == 2 { print $4 }') free"
  # night.mjs runs out/main/cli.js of the checkout: the bundle's app, where the checkout has no build.
  [ -e "$ROOT/out" ] || ln -s "$APPDIR/out" "$ROOT/out"
  (cd "$ROOT" && "$NODE" scripts/night.mjs --n "$GPU_CHECK_NIGHT_N" --chunk "${GPU_CHECK_NIGHT_CHUNK:-100000}" \
    --dir "$WORK/night" --no-build) || NIGHT_OK=1
  [ -L "$ROOT/out" ] && rm "$ROOT/out"
fi
[ "$FIGURES" = 0 ] && [ "$APP_OK" = 0 ] && [ "$NIGHT_OK" = 0 ]
