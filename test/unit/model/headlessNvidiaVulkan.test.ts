import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  headlessNvidiaEglLibrary,
  useHeadlessNvidiaVulkan,
  type HostView,
} from '../../../src/main/worker/model/backends/headlessNvidiaVulkan';

// The NVIDIA driver's manifest as a container toolkit installs it (seen on the H200 test machine).
const GLX_MANIFEST = {
  path: '/usr/share/vulkan/icd.d/nvidia_icd.json',
  text: '{"file_format_version":"1.0.1","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.4.312"}}',
};
const LVP_MANIFEST = {
  path: '/usr/share/vulkan/icd.d/lvp_icd.json',
  text: '{"ICD":{"library_path":"/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"}}',
};

function host(over: Partial<HostView> & { files?: string[] } = {}): HostView {
  const files = new Set(over.files ?? ['/usr/local/nvidia/lib64/libEGL_nvidia.so.0']);
  return {
    platform: 'linux',
    env: {},
    manifests: () => [GLX_MANIFEST, LVP_MANIFEST],
    exists: (f) => files.has(f),
    ...over,
  };
}

describe('Vulkan on a headless NVIDIA machine', () => {
  it('names the driver EGL library when there is no display and the manifest is the GLX one', () => {
    expect(headlessNvidiaEglLibrary(host())).toBe('/usr/local/nvidia/lib64/libEGL_nvidia.so.0');
  });

  it('looks in LD_LIBRARY_PATH first', () => {
    const h = host({
      env: { LD_LIBRARY_PATH: '/opt/driver/lib' },
      files: ['/opt/driver/lib/libEGL_nvidia.so.0', '/usr/lib/x86_64-linux-gnu/libEGL_nvidia.so.0'],
    });
    expect(headlessNvidiaEglLibrary(h)).toBe('/opt/driver/lib/libEGL_nvidia.so.0');
  });

  it('changes nothing with a display, with drivers the user chose, off Linux, without NVIDIA or without EGL', () => {
    expect(headlessNvidiaEglLibrary(host({ env: { DISPLAY: ':0' } }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ env: { VK_ICD_FILENAMES: '/x.json' } }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ env: { VK_DRIVER_FILES: '/x.json' } }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ platform: 'darwin' }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ manifests: () => [LVP_MANIFEST] }))).toBeNull();
    expect(headlessNvidiaEglLibrary(host({ files: [] }))).toBeNull();
  });

  it('writes a loader manifest naming the EGL library and points VK_ICD_FILENAMES at it', () => {
    const env: Record<string, string | undefined> = {};
    const said = useHeadlessNvidiaVulkan(host({ env }));
    expect(said).toMatch(/libEGL_nvidia\.so\.0/);
    const manifest = JSON.parse(readFileSync(env.VK_ICD_FILENAMES!, 'utf8'));
    expect(manifest.ICD.library_path).toBe('/usr/local/nvidia/lib64/libEGL_nvidia.so.0');
    expect(manifest.file_format_version).toBe('1.0.0');
    rmSync(env.VK_ICD_FILENAMES!);
  });
});
