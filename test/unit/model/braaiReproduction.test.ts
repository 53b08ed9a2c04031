/**
 * The engine must reproduce ZTF's own braai d6_m7 scores (the `drb` of the alerts) from the raw
 * FITS cutouts: proves the model import, the channel order and the braai preprocessing together.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, SHARED_MODELS, sharedPath } from '../helpers/shared';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { importLayersModel, type ImportedModel } from '../../../src/main/worker/model/importModel';
import { preprocessBatch, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { readStamp } from '../../../src/main/stamps/fits';
import type { StampTriplet } from '../../../src/shared/stamp';

const MODEL_DIR = path.join(SHARED_MODELS, 'braai-d6_m7');
const INDEX = sharedPath('real-stamps', 'index.csv');
const HAVE_DATA = HAVE_SHARED && existsSync(INDEX) && existsSync(path.join(MODEL_DIR, 'model.json'));

interface Row {
  id: string;
  tag: string;
  drb: number;
  sci: string;
  ref: string;
  diff: string;
}

function d6m7Rows(): Row[] {
  // Plain split is enough: no field of the columns we need holds a comma.
  const [header, ...lines] = readFileSync(INDEX, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  return lines
    .map((l) => l.split(','))
    .filter((f) => f[at('survey')] === 'ztf' && f[at('drbversion')] === 'd6_m7' && f[at('drb')] !== '')
    .map((f) => ({
      id: f[at('id')],
      tag: f[at('tag')],
      drb: Number(f[at('drb')]),
      sci: f[at('sci')],
      ref: f[at('ref')],
      diff: f[at('diff')],
    }));
}

async function readTriplet(row: Row): Promise<StampTriplet> {
  const read = async (rel: string) => {
    const file = sharedPath('real-stamps', rel);
    return readStamp(new Uint8Array(await readFile(file)), file).image;
  };
  return {
    search: await read(row.sci),
    template: row.ref ? await read(row.ref) : null,
    difference: await read(row.diff),
  };
}

describe.skipIf(!HAVE_DATA)('braai d6_m7 reproduces the ZTF drb scores', () => {
  let imported: ImportedModel;
  beforeAll(async () => {
    await selectBackend('wasm');
    imported = await importLayersModel(MODEL_DIR);
  });

  it('matches drb within 1e-4 for >= 97% of the d6_m7 triplets', async () => {
    const rows = d6m7Rows();
    expect(rows.length).toBeGreaterThan(200);
    const triplets = await Promise.all(rows.map(readTriplet));
    const { model, spec } = imported;
    const [h, w] = spec.inputSize;
    const batch = 32;
    const buffer = new Float32Array(batch * stampInputLength(spec));
    const scores: number[] = [];
    const before = tf.memory().numTensors;
    for (let i = 0; i < triplets.length; i += batch) {
      const chunk = triplets.slice(i, i + batch);
      preprocessBatch(spec, chunk, buffer);
      const x = tf.tensor4d(buffer.subarray(0, chunk.length * stampInputLength(spec)), [
        chunk.length,
        h,
        w,
        3,
      ]);
      const y = model.predict(x) as tf.Tensor;
      scores.push(...(await y.data()));
      tf.dispose([x, y]);
    }
    expect(tf.memory().numTensors).toBe(before);

    const diffs = rows.map((r, i) => ({ ...r, score: scores[i], diff: Math.abs(scores[i] - r.drb) }));
    const misses = diffs.filter((d) => !(d.diff <= 1e-4));
    const fraction = (rows.length - misses.length) / rows.length;
    const sorted = diffs.map((d) => d.diff).sort((a, b) => a - b);
    console.log(
      `braai d6_m7: ${rows.length - misses.length}/${rows.length} within 1e-4 (${(100 * fraction).toFixed(1)}%), ` +
        `median |diff| ${sorted[sorted.length >> 1].toExponential(2)}; misses:\n` +
        misses.map((m) => `  ${m.id} ${m.tag} drb=${m.drb} ours=${m.score.toFixed(6)}`).join('\n'),
    );
    expect(fraction).toBeGreaterThanOrEqual(0.97);
  });
});
