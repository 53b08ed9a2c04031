/**
 * Chooses the fastest tfjs backend that works on this machine, in DESIGN.md's order:
 * tfjs-node-gpu (CUDA) -> WebGPU (Dawn in Node) -> tfjs-node -> wasm (SIMD) -> cpu.
 * Each failure is kept with its message so the UI can say why a faster backend was not used.
 */
import * as tf from '@tensorflow/tfjs-core';
import './registerGradients';
import {
  BACKEND_ORDER,
  TFJS_BACKEND_NAME,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
} from './types';
import { installNodeWebGpu } from './webgpuNode';
import { prepareWasmBackend } from './wasmNode';

// Optional packages: absent on most machines (their installers download libtensorflow). The
// module names are held in variables so that bundlers and tsc do not try to resolve them.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';

async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

/** Makes backend `name` available to tfjs (imports and registers it); throws with the reason if it can't. */
async function prepare(name: BackendName, forced: boolean): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
      try {
        await importOptional(TFJS_NODE_GPU);
      } catch (err) {
        // An optional dependency: npm ci drops it when its install script cannot fetch
        // libtensorflow (no internet) - say so rather than "cannot find module".
        const code = (err as { code?: string }).code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
          throw new Error(
            'not installed: its install script downloads libtensorflow with CUDA from storage.googleapis.com, ' +
              'which failed or was skipped (offline, or no CUDA); on a CUDA machine with internet: npm ci, ' +
              'or npm install @tensorflow/tfjs-node-gpu',
          );
        throw err;
      }
      return 'tfjs-node-gpu (CUDA)';
    case 'tensorflow':
      await importOptional(TFJS_NODE);
      return 'tfjs-node (libtensorflow on the CPU)';
    case 'webgpu': {
      const adapter = await installNodeWebGpu();
      if (adapter.software && !forced) {
        throw new Error(
          `only a software WebGPU adapter (${adapter.description}), slower than wasm; select 'webgpu' to use it anyway`,
        );
      }
      await import('@tensorflow/tfjs-backend-webgpu');
      return `WebGPU on ${adapter.description}${adapter.via ? ` (${adapter.via})` : ''}`;
    }
    case 'wasm':
      await prepareWasmBackend();
      return 'WebAssembly (XNNPACK, SIMD)';
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return 'plain JavaScript (slow)';
  }
}

async function activate(name: BackendName, forced: boolean): Promise<string> {
  const description = await prepare(name, forced);
  const tfName = TFJS_BACKEND_NAME[name];
  if (!tf.findBackendFactory(tfName))
    throw new Error(`loaded, but no tfjs backend '${tfName}' was registered`);
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tfjs could not initialise the '${tfName}' backend`);
  await tf.ready();
  return description;
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 300);
}

/**
 * Selects and activates a backend. `preferred` forces one (no fallback: an error says why it
 * failed); 'auto' or nothing tries them in order and takes the first that initialises.
 */
export async function selectBackend(preferred: BackendName | 'auto' = 'auto'): Promise<BackendChoice> {
  const tried: BackendAttempt[] = [];
  if (preferred !== 'auto') {
    try {
      const description = await activate(preferred, true);
      return { name: preferred, reason: `forced: ${description}`, tried };
    } catch (err) {
      throw new Error(`The ${preferred} backend was requested but could not start: ${message(err)}`);
    }
  }
  for (const name of BACKEND_ORDER) {
    try {
      const description = await activate(name, false);
      const skipped = tried.length ? `; faster ones unavailable: ${tried.map((t) => t.name).join(', ')}` : '';
      return { name, reason: `${description}${skipped}`, tried };
    } catch (err) {
      tried.push({ name, error: message(err) });
    }
  }
  throw new Error(`No tfjs backend could start: ${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
}
