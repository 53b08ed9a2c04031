/**
 * WebGPU in Node through Dawn (the `webgpu` npm package). tfjs-backend-webgpu registers itself only
 * if `navigator.gpu` exists when its module is evaluated, so this must run before that import.
 * In Electron's renderer the browser's own navigator.gpu is used and none of this runs.
 */
import { useHeadlessNvidiaVulkan } from './headlessNvidiaVulkan';

export interface WebGpuAdapterSummary {
  description: string;
  /**
   * A CPU implementation (Mesa lavapipe/llvmpipe, SwiftShader). Correct, but measured 10-20x slower
   * than the wasm backend for training and inference here, so automatic selection passes it over.
   */
  software: boolean;
  /** How Vulkan reached the driver when that needed help (headless NVIDIA), else undefined. */
  via?: string;
}

let installed: Promise<WebGpuAdapterSummary> | undefined;

/** Installs Dawn's navigator.gpu (once) and checks that it yields an adapter; throws if not. */
export function installNodeWebGpu(): Promise<WebGpuAdapterSummary> {
  installed ??= install();
  return installed;
}

async function install(): Promise<WebGpuAdapterSummary> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  let via: string | undefined;
  if (!g.navigator?.gpu) {
    via = useHeadlessNvidiaVulkan() ?? undefined;
    const { create, globals } = await import('webgpu');
    // Dawn's GPUBufferUsage, GPUMapMode, ... constants that tfjs reads as globals.
    Object.assign(globalThis, globals);
    const gpu = create([]);
    if (g.navigator) {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    } else {
      // Node 20 has no navigator; Node >= 21 has a read-only one without gpu (handled above).
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }
  }
  const adapter = await g.navigator!.gpu!.requestAdapter();
  if (!adapter) {
    throw new Error(
      'no WebGPU adapter: no GPU with a Vulkan/Metal/D3D12 driver was found ' +
        '(on a GPU-less Debian 12, run scripts/setup-lavapipe.sh for the Mesa >= 25 CPU Vulkan driver)',
    );
  }
  const info = (
    adapter as {
      info?: { description?: string; vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
    }
  ).info;
  const description = info?.description || info?.vendor || 'unknown adapter';
  const software =
    info?.isFallbackAdapter === true ||
    info?.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|softpipe/i.test(description);
  return { description, software, ...(via ? { via } : {}) };
}
