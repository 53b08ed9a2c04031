// Makes .gpu-bundle.tar.xz: what scripts/gpu-check.sh needs on a GPU machine that has the
// checkout but no node_modules and no internet (the device tool carries at most 64 MiB of ignored
// files). Inside: gpu-check.mjs (bench/gpuCheck.ts bundled with tfjs and our sources), the app's
// built main process with the packages it loads (for the CLI run on a demo night), a pruned
// node_modules holding only the native packages with their linux-x64 binaries (onnxruntime-node +
// onnxruntime-common, webgpu's dawn.node), the Vulkan loader (libvulkan.so.1: the NVIDIA driver
// brings its ICD, not always the loader) and, unless --no-node, this machine's node binary (for a
// machine without node). Everything is xz-compressed: libonnxruntime (44 MB) and dawn.node
// (21 MB) alone exceed 64 MiB uncompressed. Carry: `.gpu-bundle.tar.xz` (one path).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const withNode = !process.argv.includes('--no-node');
const stage = path.join(ROOT, '.gpu-bundle');
const out = path.join(ROOT, '.gpu-bundle.tar.xz');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });

// 1. The program, one ESM file; the native packages stay external.
sh('npx', [
  'rolldown',
  'bench/gpuCheck.ts',
  '--dir',
  stage,
  '--format',
  'esm',
  '--platform',
  'node',
  '--no-code-splitting',
  // tfjs backends register themselves as a side effect of their node builds, which package.json's
  // sideEffects lists do not name: tree-shaking would drop the registration.
  '--no-treeshake',
  '--entry-file-names',
  'gpu-check.mjs',
  '--external',
  'onnxruntime-node',
  '--external',
  'webgpu',
  // tfjs-backend-wasm's emscripten loader reads __dirname, which an ES module lacks: without it the
  // wasm backend fails to start inside the bundle and tfjs falls back to plain JavaScript.
  '--banner',
  readFileSync(path.join(ROOT, 'scripts', 'esm-banner.txt'), 'utf8'),
]);

// 2. The native packages, linux-x64 only.
const nm = path.join(stage, 'node_modules');
const copyPkg = (name, keep) => {
  const src = path.join(ROOT, 'node_modules', name);
  if (!existsSync(src)) throw new Error(`gpu-bundle: node_modules/${name} is missing (npm ci first)`);
  cpSync(src, path.join(nm, name), {
    recursive: true,
    filter: (p) => keep(path.relative(src, p).split(path.sep)),
  });
};
copyPkg('onnxruntime-common', () => true);
// bin/napi-v6/<os>/<arch>: keep linux/x64 only.
copyPkg(
  'onnxruntime-node',
  (parts) =>
    parts[0] !== 'bin' ||
    parts.length < 3 ||
    (parts[2] === 'linux' && (parts.length < 4 || parts[3] === 'x64')),
);
// dist/<platform>-<arch>/dawn.node: keep linux-x64 only.
copyPkg(
  'webgpu',
  (parts) =>
    parts[0] !== 'dist' ||
    parts.length < 2 ||
    !statSync(path.join(ROOT, 'node_modules/webgpu', ...parts.slice(0, 2))).isDirectory() ||
    parts[1] === 'linux-x64',
);

// 2b. The app itself, for the check's second part (the CLI on a demo night): the built main
// process (out/main, from electron-vite build), the shipped model (resources/) and the packages
// out/main loads at run time. Of tfjs only the Node bundles each package.json names (and the wasm
// binaries): the rest of those folders is other module formats.
sh('npx', ['electron-vite', 'build', '--logLevel', 'warn']);
cpSync(path.join(ROOT, 'out', 'main'), path.join(stage, 'out', 'main'), { recursive: true });
cpSync(path.join(ROOT, 'resources'), path.join(stage, 'resources'), { recursive: true });
for (const name of ['avsc', 'snappyjs', 'zod', 'omggif', 'ws', 'seedrandom', 'long'])
  copyPkg(name, () => true);
// tfjs-core's fetch for Node and its dependencies.
for (const name of ['node-fetch', 'whatwg-url', 'tr46', 'webidl-conversions']) copyPkg(name, () => true);
for (const name of [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-wasm',
]) {
  const main = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).main;
  copyPkg(name, (parts) => {
    const rel = parts.join('/');
    return rel === '' || rel === 'package.json' || rel === 'dist' || rel === main || rel.endsWith('.wasm');
  });
}

// 3. The Vulkan loader.
mkdirSync(path.join(stage, 'lib'));
for (const dir of ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu']) {
  if (existsSync(path.join(dir, 'libvulkan.so.1'))) {
    copyFileSync(path.join(dir, 'libvulkan.so.1'), path.join(stage, 'lib', 'libvulkan.so.1'));
    break;
  }
}

// 4. node itself.
if (withNode) {
  mkdirSync(path.join(stage, 'bin'));
  copyFileSync(process.execPath, path.join(stage, 'bin', 'node'));
}

rmSync(out, { force: true });
sh('tar', ['-C', ROOT, '-cJf', out, '.gpu-bundle'], { env: { ...process.env, XZ_OPT: '-6 -T2' } });
const mib = statSync(out).size / 2 ** 20;
const files = readdirSync(stage, { recursive: true }).length;
console.log(
  `${path.relative(ROOT, out)}: ${mib.toFixed(1)} MiB (${files} entries)${mib > 64 ? ' - OVER the 64 MiB carry limit' : ''}`,
);
rmSync(stage, { recursive: true, force: true });
