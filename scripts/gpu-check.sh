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
# Sizes: GPU_CHECK_SECONDS, GPU_CHECK_INFER_BATCH, GPU_CHECK_TRAIN_BATCH, GPU_CHECK_ARCHS.
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
    --entry-file-names gpu-check.mjs --no-treeshake --external onnxruntime-node --external webgpu --log-level warn >/dev/null ||
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

cd "$DIR" && "$NODE" gpu-check.mjs
