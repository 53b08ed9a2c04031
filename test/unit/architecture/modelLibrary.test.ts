// The main process imports and reads models from their JSON alone (src/main/library); the worker
// side (ModelRegistry) must then load what was put there. These tests hold both halves to it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLibrary } from '../../../src/main/library/modelLibrary';
import { BRAAI_D6_M7_SPEC, importModelFolder } from '../../../src/main/library/importModel';
import { ModelRegistry } from '../../../src/main/worker/model/registry';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { HAVE_SHARED, SHARED_MODELS } from '../helpers/shared';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'skysift-library-'));

/** A folder named like braai holding a layers model.json of the given first-layer input shape. */
function fakeBraaiFolder(inputShape: unknown, shards: string[] = ['w.bin'], writeShards = true): string {
  const dir = path.join(tmp(), 'braai-d6_m7');
  mkdirSync(dir);
  const topology = {
    class_name: 'Sequential',
    config: { name: 's', layers: [{ class_name: 'Conv2D', config: { batch_input_shape: inputShape } }] },
  };
  const json = {
    format: 'layers-model',
    modelTopology: topology,
    weightsManifest: [{ paths: shards, weights: [] }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  if (writeShards) for (const s of shards) writeFileSync(path.join(dir, s), new Uint8Array(8));
  return dir;
}

describe('importing a model folder from its JSON (main side, no engine)', () => {
  it('refuses a model whose input does not match the spec, naming the folder and both shapes', async () => {
    const folder = fakeBraaiFolder([null, 51, 51, 3]);
    await expect(importModelFolder(new ModelLibrary(tmp()), folder)).rejects.toThrow(
      `Model in ${folder} takes input [null,51,51,3], but its spec says 63x63x3`,
    );
  });

  it('refuses a model whose weight shard is missing, naming model.json and the shard', async () => {
    const folder = fakeBraaiFolder([null, 63, 63, 3], ['group1-shard1of1.bin'], false);
    await expect(importModelFolder(new ModelLibrary(tmp()), folder)).rejects.toThrow(
      `${path.join(folder, 'model.json')}: weight shard group1-shard1of1.bin is missing`,
    );
  });

  it('refuses a model.json that is not a TF.js layers model, naming the file', async () => {
    const folder = fakeBraaiFolder([null, 63, 63, 3]);
    writeFileSync(
      path.join(folder, 'model.json'),
      JSON.stringify({ format: 'graph-model', modelTopology: {} }),
    );
    await expect(importModelFolder(new ModelLibrary(tmp()), folder)).rejects.toThrow(
      `${path.join(folder, 'model.json')}: not a TF.js layers model`,
    );
  });

  it('writes the version whole: files copied, meta.json saying how to feed it', async () => {
    const library = new ModelLibrary(tmp());
    const meta = await importModelFolder(library, fakeBraaiFolder([null, 63, 63, 3]), 'braai-test');
    expect(meta).toMatchObject({ version: 'braai-test', kind: 'imported', threshold: 0.5 });
    expect(meta.spec).toEqual(BRAAI_D6_M7_SPEC);
    expect(library.list().map((m) => m.version)).toEqual(['braai-test']);
    expect(readFileSync(path.join(library.versionDir('braai-test'), 'w.bin')).length).toBe(8);
  });
});

describe.skipIf(!HAVE_SHARED)(
  'the published braai model, imported as JSON, loads in a worker (../shared)',
  () => {
    it('the registry loads the copied folder with the input the spec says', async () => {
      const root = tmp();
      const meta = await importModelFolder(new ModelLibrary(root), path.join(SHARED_MODELS, 'braai-d6_m7'));
      expect(meta.version).toBe('braai-d6_m7');
      await selectBackend('cpu');
      const { model } = await new ModelRegistry(root).load('braai-d6_m7');
      try {
        expect(model.inputs[0].shape).toEqual([null, 63, 63, 3]);
      } finally {
        model.dispose();
      }
    });
  },
);
