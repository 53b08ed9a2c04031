/**
 * Loading TF.js layers models from a folder in Node. tf.io.fileSystem lives in tfjs-node, which is
 * optional (absent on most machines), so we read model.json and its weight shards ourselves.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from './architectures/spec';
import type { ModelMeta, ModelRegistry } from './registry';
import { selectBackend } from './backends';

/** An IOHandler that loads `<folder>/model.json` and the shards its weightsManifest names. */
export function fileSystemLoadHandler(folder: string, modelFile = 'model.json'): tfc.io.IOHandler {
  return {
    async load(): Promise<tfc.io.ModelArtifacts> {
      const jsonPath = path.join(folder, modelFile);
      let json: tfc.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(jsonPath, 'utf8')) as tfc.io.ModelJSON;
      } catch (err) {
        throw new Error(`Cannot read model ${jsonPath}: ${(err as Error).message}`);
      }
      return tfc.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tfc.io.WeightsManifestEntry[] = [];
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const shard of group.paths) {
            const shardPath = path.join(folder, shard);
            try {
              buffers.push(await readFile(shardPath));
            } catch (err) {
              throw new Error(
                `Cannot read weight shard ${shardPath} of ${jsonPath}: ${(err as Error).message}`,
              );
            }
          }
        }
        const all = Buffer.concat(buffers);
        // Copy into a standalone ArrayBuffer: a Buffer may be a view on a larger pooled one.
        const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
        return [specs, weightData];
      });
    },
  };
}

/** The published ZTF braai "d6_m7" VGG6 (Duev et al. 2019), as converted in ../shared/models. */
export const BRAAI_D6_M7_SPEC: ModelSpec = {
  id: 'braai-d6_m7',
  description: 'ZTF braai d6_m7 VGG6 real/bogus CNN (Duev et al. 2019), inference only',
  inputSize: [63, 63],
  channels: ['search', 'template', 'difference'],
  preprocessing: 'braai',
  maskedPixels:
    'masked pixels -> 0 before the row-wise L2 normalisation (braai turns NaN into 0); stamps smaller ' +
    'than 63x63 padded with 1e-9 at the high-index end',
};

/** Specs of the imported models we know, by folder name. */
export const KNOWN_IMPORTED_SPECS: Record<string, ModelSpec> = { 'braai-d6_m7': BRAAI_D6_M7_SPEC };

export interface ImportedModel {
  model: tfl.LayersModel;
  spec: ModelSpec;
}

/**
 * Loads a layers model from `folder`. `spec` defaults to the known spec for the folder's name;
 * an unknown model must be given one (we cannot guess its preprocessing).
 */
export async function importLayersModel(folder: string, spec?: ModelSpec): Promise<ImportedModel> {
  const resolved = spec ?? KNOWN_IMPORTED_SPECS[path.basename(path.resolve(folder))];
  if (!resolved) {
    throw new Error(
      `No model spec for ${folder}: pass one saying its input size, channel order and preprocessing`,
    );
  }
  const model = await tfl.loadLayersModel(fileSystemLoadHandler(folder));
  const shape = model.inputs[0].shape; // [null, H, W, C]
  const [h, w] = resolved.inputSize;
  if (shape[1] !== h || shape[2] !== w || shape[3] !== resolved.channels.length) {
    model.dispose();
    throw new Error(
      `Model in ${folder} takes input ${JSON.stringify(shape)}, but its spec says ${h}x${w}x${resolved.channels.length}`,
    );
  }
  return { model, spec: resolved };
}

/**
 * Put a model folder into the library: a Skysift version (meta.json beside model.json, e.g. from
 * another home) as it is, or a published TF.js layers model whose feeding we know (by its folder
 * name). Anything else is refused with what Skysift can take.
 */
export async function importModelFolder(
  registry: ModelRegistry,
  folder: string,
  version?: string,
): Promise<ModelMeta> {
  const abs = path.resolve(folder);
  if (!existsSync(path.join(abs, 'model.json')))
    throw new Error(
      `${abs}: no model.json here: choose the folder of a TF.js layers model or of a Skysift version`,
    );
  if (existsSync(path.join(abs, 'meta.json'))) return registry.adoptFolder(abs);
  const base = path.basename(abs);
  const spec = KNOWN_IMPORTED_SPECS[base];
  if (!spec)
    throw new Error(
      `${abs}: Skysift does not know how to feed "${base}" (its input size, channels and preprocessing). ` +
        `It can import ${Object.keys(KNOWN_IMPORTED_SPECS).join(', ')} and Skysift versions (folders with meta.json).`,
    );
  // Reading and re-saving the weights needs a tfjs backend; the plain JS one is enough for that.
  await selectBackend('cpu');
  return registry.importFolder(abs, spec, version ?? base);
}
