import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, selectBackend } from '../../../src/main/worker/model/backends';
import { importLayersModel } from '../../../src/main/worker/model/importModel';

describe('selectBackend', () => {
  it('tries the backends in DESIGN order and records why each faster one failed', async () => {
    expect(BACKEND_ORDER).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    const choice = await selectBackend();
    const index = BACKEND_ORDER.indexOf(choice.name);
    expect(choice.tried.map((t) => t.name)).toEqual(BACKEND_ORDER.slice(0, index));
    for (const t of choice.tried) expect(t.error.length).toBeGreaterThan(0);
    // The optional tfjs-node packages are not installed here: their absence must be recorded, not thrown.
    if (index > 0)
      expect(choice.tried[0].error).toMatch(/tfjs-node-gpu|Cannot find|Failed to load|not found/i);
    expect(choice.reason.length).toBeGreaterThan(0);
    // A software WebGPU adapter (lavapipe) is correct but slower than wasm: auto must pass it over.
    const webgpu = choice.tried.find((t) => t.name === 'webgpu');
    if (webgpu) expect(webgpu.error).toMatch(/software|adapter|WebGPU/i);
    console.log(`auto backend: ${choice.name} (${choice.reason}); tried: ${JSON.stringify(choice.tried)}`);
  });

  it('forces a backend by name', async () => {
    const wasm = await selectBackend('wasm');
    expect(wasm).toMatchObject({ name: 'wasm', tried: [] });
    expect(tf.getBackend()).toBe('wasm');
    const cpu = await selectBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('forces webgpu even on a software adapter, or says why it cannot', async () => {
    try {
      const choice = await selectBackend('webgpu');
      expect(choice.name).toBe('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
    } catch (err) {
      expect((err as Error).message).toMatch(/webgpu backend was requested/);
    }
  });

  it('says why a forced backend cannot start', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/tensorflow backend was requested/);
  });
});

describe('importLayersModel', () => {
  it('refuses a folder without a known spec, and names a missing model.json', async () => {
    await expect(importLayersModel('/tmp/no-such-model')).rejects.toThrow(/No model spec/);
    await expect(
      importLayersModel('/tmp/no-such-model', {
        id: 'x',
        description: '',
        inputSize: [63, 63],
        channels: ['search', 'template', 'difference'],
        preprocessing: 'braai',
        maskedPixels: '',
      }),
    ).rejects.toThrow(/Cannot read model .*model\.json/);
  });
});
