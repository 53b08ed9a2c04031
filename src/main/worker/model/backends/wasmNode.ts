/**
 * The wasm backend, made ready to train: binary location for Node and our conv gradient kernels.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradientKernels } from './wasmConvBackprop';

/**
 * Folder holding tfjs-backend-wasm's .wasm binaries. Set explicitly because bundlers (electron-vite)
 * move the JS away from node_modules, and the backend looks for them next to its own script.
 */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  return path.dirname(entry) + path.sep;
}

/** Imports the backend, points it at its binaries and adds the kernels training needs. */
export async function prepareWasmBackend(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node emscripten reads the file with fs, so a plain folder path (ending in a separator) works.
  wasm.setWasmPaths(wasmBinaryFolder());
  registerWasmGradientKernels();
}
