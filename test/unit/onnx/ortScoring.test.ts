/**
 * Scoring a workspace on a CPU backend goes through ONNX Runtime when it is installed: the .onnx is
 * cached beside the version, the scores equal tfjs's, and any failure falls back to tfjs with why.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { buildCompact, COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { installNodeWebGpu, selectBackend } from '../../../src/main/worker/model/backends';
import { modelLibrary, runScore, type EngineReporter } from '../../../src/main/worker/model/engineJobs';
import { chooseInferenceEngine } from '../../../src/main/worker/model/onnx/inferenceEngine';
import type { ModelMeta } from '../../../src/main/worker/model/registry';
import { scoreWorkspace } from '../../../src/main/worker/model/scoring';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { ORT, randomiseBatchNorms } from './helpers';

function meta(version: string): ModelMeta {
  return {
    version,
    createdAt: new Date().toISOString(),
    kind: 'trained',
    spec: COMPACT_SPEC,
    parent: null,
    backend: 'wasm',
    seed: 3,
    hyperparameters: {},
    cost: null,
    data: null,
    curves: [],
    bestEpoch: null,
    evaluation: null,
    threshold: 0.5,
    notes: 'onnx test',
  };
}

describe.skipIf(!ORT)('scoring through ONNX Runtime on a CPU backend', () => {
  let ws: Workspace;
  const version = 'compact-onnx-test';

  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-onnx-'));
    await generateNight({ out: path.join(base, 'stamps'), n: 60, seed: 5 });
    ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    await runIngest(ws, path.join(base, 'stamps'));
    await selectBackend('wasm');
    const model = buildCompact(4);
    randomiseBatchNorms(model, 9);
    await modelLibrary().save(model, meta(version));
    model.dispose();
  }, 120_000);

  it('uses ORT, caches <version>/model.onnx, and gives tfjs scores', async () => {
    const messages: string[] = [];
    const report: EngineReporter = { backend: () => {}, progress: (_d, _t, m) => messages.push(m) };
    const { result } = await runScore(ws, { version, backend: 'wasm', batchSize: 16 }, report);
    expect(result.engine).toBe('onnxruntime');
    expect(result.scored).toBe(60);
    expect(existsSync(path.join(modelLibrary().versionDir(version), 'model.onnx'))).toBe(true);
    expect(messages[0]).toMatch(/ONNX Runtime on the CPU, \d+ threads, exported now/);
    const viaOrt = ws.scores(version)!;

    const { model, meta: m } = await modelLibrary().load(version);
    const viaTfjs = (await scoreWorkspace(ws, model, m.spec as typeof COMPACT_SPEC)).scores;
    let maxDiff = 0;
    for (const [id, s] of viaTfjs) maxDiff = Math.max(maxDiff, Math.abs(s - viaOrt.get(id)!));
    expect(maxDiff).toBeLessThan(1e-5);

    // Second use: from the cached file.
    const again = await chooseInferenceEngine(modelLibrary(), version, model, COMPACT_SPEC);
    expect(again.description).toMatch(/from .*model\.onnx/);
    await again.release();
    model.dispose();
  });

  it('falls back to tfjs, saying why, when the model cannot be exported', async () => {
    const odd = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [4] })] });
    const engine = await chooseInferenceEngine(modelLibrary(), 'not-exported-yet', odd, COMPACT_SPEC, {
      engine: 'auto',
      backend: 'wasm',
    });
    expect(engine.name).toBe('tfjs-wasm');
    expect(engine.predict).toBeUndefined();
    expect(engine.description).toMatch(/ONNX Runtime not used: ONNX export: expected a 4-D image input/);
    const kept = await chooseInferenceEngine(modelLibrary(), version, odd, COMPACT_SPEC, {
      backend: 'webgpu',
      engine: 'tfjs',
    });
    expect(kept.name).toBe('tfjs-webgpu');
    odd.dispose();
  });

  it("on a WebGPU backend, scores through ORT's WebGPU EP (as the CPU does), or says why not", async () => {
    const { model } = await modelLibrary().load(version);
    const cpu = await chooseInferenceEngine(modelLibrary(), version, model, COMPACT_SPEC, {
      backend: 'wasm',
    });
    const gpu = await chooseInferenceEngine(modelLibrary(), version, model, COMPACT_SPEC, {
      backend: 'webgpu',
    });
    let adapter: string | null = null;
    try {
      adapter = (await installNodeWebGpu()).description;
    } catch {
      // no adapter at all: ORT's WebGPU EP has none either
    }
    if (adapter === null) {
      expect(gpu.name).toBe('tfjs-webgpu');
      expect(gpu.description).toMatch(/ONNX Runtime not used/);
    } else {
      expect(gpu.name).toBe('onnxruntime');
      expect(gpu.description).toContain(`WebGPU EP (${adapter})`);
      const x = Float32Array.from({ length: 4 * 51 * 51 * 3 }, (_, i) => Math.sin(i * 0.1));
      const a = await cpu.predict!(x, 4);
      const b = await gpu.predict!(x, 4);
      for (let i = 0; i < 4; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    }
    await cpu.release();
    await gpu.release();
    model.dispose();
  });
});
