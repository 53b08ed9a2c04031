/**
 * Vulkan on a headless Linux machine with the NVIDIA driver (a GPU server reached over ssh, a
 * container). The driver's own Vulkan manifest names libGLX_nvidia.so.0, whose vkCreateInstance
 * needs an X server: without one the loader reports "Could not get 'vkCreateInstance' via
 * 'vk_icdGetInstanceProcAddr'" and Dawn finds no adapter. The same driver's libEGL_nvidia.so.0
 * serves Vulkan without a display (both measured on an H200 test machine, driver 580). So, before
 * Dawn or ONNX Runtime's WebGPU EP creates a Vulkan instance, the loader is pointed at a manifest
 * naming that library. Nothing changes where a display exists or the user chose the drivers.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the Vulkan loader looks for driver manifests (system-wide ones). */
const MANIFEST_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];
/** Where distributions and the NVIDIA container toolkit put the driver's libraries. */
const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/lib',
  '/usr/local/nvidia/lib64',
];
const EGL_LIBRARY = 'libEGL_nvidia.so.0';

export interface HostView {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The text of each driver manifest found, by path. */
  manifests(): { path: string; text: string }[];
  exists(file: string): boolean;
}

const realHost = (): HostView => ({
  platform: process.platform,
  env: process.env,
  manifests: () =>
    MANIFEST_DIRS.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => ({ path: path.join(dir, f), text: readFileSync(path.join(dir, f), 'utf8') }));
      } catch {
        return [];
      }
    }),
  exists: existsSync,
});

/**
 * The EGL library to use instead of the GLX one, or null when nothing should change: not Linux,
 * a display present, driver files chosen by the user, no NVIDIA GLX manifest, or no EGL library.
 */
export function headlessNvidiaEglLibrary(host: HostView): string | null {
  const { env } = host;
  if (host.platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return null;
  const glx = host.manifests().some((m) => /libGLX_nvidia\.so/.test(m.text));
  if (!glx) return null;
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), ...LIBRARY_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, EGL_LIBRARY);
    if (host.exists(file)) return file;
  }
  return null;
}

/**
 * Points the Vulkan loader of this process at the NVIDIA driver's EGL library when headless (see
 * above); returns a line saying so, or null when nothing was changed. Call before any Vulkan use.
 */
export function useHeadlessNvidiaVulkan(host: HostView = realHost()): string | null {
  const library = headlessNvidiaEglLibrary(host);
  if (!library) return null;
  const manifest = path.join(os.tmpdir(), `skysift-nvidia-egl-icd-${process.pid}.json`);
  writeFileSync(
    manifest,
    JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3' } }),
  );
  // Node's process.env writes through to the C environment the loader reads.
  host.env.VK_ICD_FILENAMES = manifest;
  return `headless: Vulkan through the NVIDIA driver's ${library}`;
}
