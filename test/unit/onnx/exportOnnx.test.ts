/**
 * The ONNX export must score real stamps exactly as tfjs does: ZTF triplets from ../shared,
 * preprocessed by our own code, through tfjs (wasm) and through onnxruntime-node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCompact,
  buildSpace2vec,
  COMPACT_SPEC,
  SPACE2VEC_SPEC,
} from '../../../src/main/worker/model/architectures';
import type { ModelSpec } from '../../../src/main/worker/model/architectures/spec';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { importLayersModel } from '../../../src/main/worker/model/importModel';
import { exportOnnx, tfPads } from '../../../src/main/worker/model/onnx/exportOnnx';
import { OrtScorer } from '../../../src/main/worker/model/onnx/ortRuntime';
import { ProtoWriter } from '../../../src/main/worker/model/onnx/protobuf';
import { preprocessBatch, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { readStamp } from '../../../src/main/stamps/fits';
import type { StampTriplet } from '../../../src/shared/stamp';
import { HAVE_SHARED, SHARED_MODELS, sharedPath } from '../helpers/shared';
import { ORT, randomiseBatchNorms } from './helpers';

describe('protobuf writer and TF padding', () => {
  it('encodes varints, negative int64 and fields as protobuf does', () => {
    expect([...new ProtoWriter().varint(1).finish()]).toEqual([1]);
    expect([...new ProtoWriter().varint(300).finish()]).toEqual([0xac, 0x02]);
    expect([...new ProtoWriter().varint(-1).finish()]).toEqual([...Array(9).fill(0xff), 0x01]);
    expect([...new ProtoWriter().string(2, 'hi').finish()]).toEqual([0x12, 2, 0x68, 0x69]);
    expect([...new ProtoWriter().packedInts(1, [3, 270]).finish()]).toEqual([0x0a, 3, 3, 0x8e, 0x02]);
  });

  it("pads 'same' like TF: the odd pixel at the end for stride 2", () => {
    expect(tfPads('same', [51, 51], [3, 3], [2, 2])).toEqual({ pads: [1, 1, 1, 1], out: [26, 26] });
    expect(tfPads('same', [26, 26], [3, 3], [2, 2])).toEqual({ pads: [0, 0, 1, 1], out: [13, 13] });
    expect(tfPads('same', [51, 51], [3, 3], [1, 1])).toEqual({ pads: [1, 1, 1, 1], out: [51, 51] });
    expect(tfPads('valid', [59, 59], [2, 2], [2, 2])).toEqual({ pads: [0, 0, 0, 0], out: [29, 29] });
  });

  it('refuses a layer it has no emitter for, naming the layer and what is supported', async () => {
    await selectBackend('cpu');
    const m = tfl.sequential({ name: 'upsampler' });
    m.add(tfl.layers.upSampling2d({ inputShape: [8, 8, 3], size: [2, 2], name: 'up' }));
    m.add(tfl.layers.globalAveragePooling2d({}));
    m.add(tfl.layers.dense({ units: 1 }));
    expect(() => exportOnnx(m, COMPACT_SPEC)).toThrow(
      /layer up \(UpSampling2D\) is not supported; supported: .*Conv2D/,
    );
    m.dispose();
  });
});

const INDEX = sharedPath('real-stamps', 'index.csv');
const HAVE_DATA = HAVE_SHARED && existsSync(INDEX);
const BRAAI_DIR = path.join(SHARED_MODELS, 'braai-d6_m7');

/** ZTF triplets of the shared real stamps (all three images present). */
async function ztfTriplets(limit: number): Promise<StampTriplet[]> {
  const [header, ...lines] = readFileSync(INDEX, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  const rows = lines
    .map((l) => l.split(','))
    .filter((f) => f[at('survey')] === 'ztf' && f[at('sci')] && f[at('ref')] && f[at('diff')]);
  // Spread over the file (it is grouped by tag: high and low drb).
  const step = Math.max(1, Math.floor(rows.length / limit));
  const picked = rows.filter((_, i) => i % step === 0).slice(0, limit);
  const read = async (rel: string) => {
    const file = sharedPath('real-stamps', rel);
    return readStamp(new Uint8Array(await readFile(file)), file).image;
  };
  return Promise.all(
    picked.map(async (f) => ({
      search: await read(f[at('sci')]),
      template: await read(f[at('ref')]),
      difference: await read(f[at('diff')]),
    })),
  );
}

async function compare(model: tfl.LayersModel, spec: ModelSpec, triplets: StampTriplet[], minSpread = 0.25) {
  const n = triplets.length;
  const [h, w] = spec.inputSize;
  const input = preprocessBatch(spec, triplets);
  expect(input.length).toBe(n * stampInputLength(spec));
  const x = tfc.tensor4d(input, [n, h, w, spec.channels.length]);
  const y = model.predict(x) as tfc.Tensor;
  const expected = Float32Array.from(await y.data());
  tfc.dispose([x, y]);
  const scorer = await OrtScorer.create(exportOnnx(model, spec), spec, { threads: 2 });
  const got = await scorer.predict(input, n);
  await scorer.release();
  expect(got.length).toBe(n);
  let maxDiff = 0;
  for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
  // The comparison means something only if the scores are not all saturated at 0 or 1.
  const spread = expected.filter((s) => s > 0.02 && s < 0.98).length;
  console.log(
    `[onnx] ${spec.id}: ${n} ZTF triplets, max |ORT - tfjs| = ${maxDiff.toExponential(2)}, ${spread} scores in (0.02, 0.98)`,
  );
  expect(spread).toBeGreaterThanOrEqual(n * minSpread);
  expect(maxDiff).toBeLessThan(1e-5);
}

/** Random weights give logits far from 0 through deep nets; scale the last layer to spread the scores. */
async function calibrateLastLayer(model: tfl.LayersModel, spec: ModelSpec, triplets: StampTriplet[]) {
  const last = model.layers[model.layers.length - 1];
  const [kernel, bias] = last.getWeights();
  const [h, w] = spec.inputSize;
  const x = tfc.tensor4d(preprocessBatch(spec, triplets), [triplets.length, h, w, spec.channels.length]);
  const y = model.predict(x) as tfc.Tensor;
  const s = await y.data();
  const logits = Array.from(s, (p) => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7)));
  const mean = logits.reduce((a, b) => a + b, 0) / logits.length;
  const sd = Math.sqrt(logits.reduce((a, b) => a + (b - mean) ** 2, 0) / logits.length) || 1;
  const k = tfc.div(kernel, sd);
  const b = tfc.sub(tfc.div(bias, sd), mean / sd);
  last.setWeights([k, b]);
  tfc.dispose([x, y, k, b]);
}

describe.skipIf(!HAVE_DATA || !ORT)('ONNX export scores real ZTF stamps like tfjs (onnxruntime-node)', () => {
  let triplets: StampTriplet[];
  beforeAll(async () => {
    await selectBackend('wasm');
    triplets = await ztfTriplets(48);
  });

  for (const [spec, build] of [
    [COMPACT_SPEC, buildCompact],
    [SPACE2VEC_SPEC, buildSpace2vec],
  ] as const) {
    it(`${spec.id}: random seeded weights, non-trivial batch-norm statistics`, async () => {
      const model = build(11);
      randomiseBatchNorms(model, 5);
      await calibrateLastLayer(model, spec, triplets);
      await compare(model, spec, triplets);
      model.dispose();
    });
  }

  it.skipIf(!existsSync(path.join(BRAAI_DIR, 'model.json')))('braai-d6_m7 (published weights)', async () => {
    const { model, spec } = await importLayersModel(BRAAI_DIR);
    // Published weights: most ZTF scores sit near 0 or 1, as the alerts' drb do.
    await compare(model, spec, triplets, 0);
    model.dispose();
  });
});
