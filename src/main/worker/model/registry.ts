/**
 * The model library with its weights: loading a version's TF.js layers model and saving a new
 * version (weights, then meta.json, then the folder renamed into place). Listing, reading and
 * importing versions is JSON only and lives in library/modelLibrary.ts, which the main process
 * uses without loading tfjs; this class adds the engine's half for workers and the lab tools.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../../util/atomicWrite';
import type { ModelSpec } from './architectures/spec';
import { fileSystemLoadHandler } from './importModel';
import { ModelLibrary, ModelMetaSchema, type ModelMeta } from '../../library/modelLibrary';

export {
  EvaluationSchema,
  ModelMetaSchema,
  type Evaluation,
  type ModelMeta,
  type RealEvaluation,
  type TrainedOn,
} from '../../library/modelLibrary';

/** The library with its weights: what workers and the engine tools load and save. */
export class ModelRegistry extends ModelLibrary {
  async load(version: string): Promise<{ model: tfl.LayersModel; meta: ModelMeta }> {
    const meta = this.meta(version);
    const model = await tfl.loadLayersModel(fileSystemLoadHandler(this.versionDir(version)));
    return { model, meta };
  }

  /**
   * Write a new version: weights into a temp folder, then meta.json last, then rename the folder
   * into place, so a version either exists whole or not at all.
   */
  async save(model: tfl.LayersModel, meta: ModelMeta): Promise<void> {
    const dir = this.versionDir(meta.version);
    if (existsSync(dir)) throw new Error(`model version ${meta.version} already exists`);
    await fs.mkdir(this.root, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.mkdir(tmp);
    await model.save(
      tfc.io.withSaveHandler(async (artifacts) => {
        const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
        const json = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: 'skysift',
          convertedBy: null,
          weightsManifest,
        };
        const data = artifacts.weightData as ArrayBuffer;
        await writeFileAtomic(path.join(tmp, 'weights.bin'), new Uint8Array(data));
        await writeFileAtomic(path.join(tmp, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    await writeFileAtomic(path.join(tmp, 'meta.json'), JSON.stringify(ModelMetaSchema.parse(meta), null, 2));
    await fs.rename(tmp, dir);
  }
}

export function specOf(meta: ModelMeta): ModelSpec {
  return meta.spec as ModelSpec;
}

export function newVersionName(arch: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${arch}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
