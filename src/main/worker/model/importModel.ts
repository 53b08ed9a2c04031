/**
 * Loading TF.js layers models from a folder in Node (the weights side of an import; putting a folder
 * into the library is JSON only, in library/importModel.ts). tf.io.fileSystem lives in tfjs-node, which is
 * optional (absent on most machines), so we read model.json and its weight shards ourselves.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from './architectures/spec';
import { KNOWN_IMPORTED_SPECS as KNOWN_SPECS } from '../../library/importModel';

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

/** The imported models we know, as the library stores their specs (the main process imports them). */
export const BRAAI_D6_M7_SPEC: ModelSpec = KNOWN_SPECS['braai-d6_m7'];
export const KNOWN_IMPORTED_SPECS: Record<string, ModelSpec> = KNOWN_SPECS;

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
