/**
 * The model registry: every trained or imported model is a version folder holding its weights
 * (TF.js layers format) and a meta.json with its provenance: architecture, hyperparameters,
 * backend, seed, the label set it saw (counts and fingerprint), the split by candidate id, its
 * metrics and training curves, and its parent version. Versions are never modified after they are
 * written, so rolling back is just pointing the workspace at an older one.
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import {
  EvaluationSummarySchema,
  isVersionName,
  RealEvaluationSchema,
  TrainedOnSchema,
  TrainingEpochSchema,
} from '../../../shared/contract';
import { writeFileAtomic } from '../../util/atomicWrite';
import type { ModelSpec } from './architectures/spec';
import { fileSystemLoadHandler, importLayersModel } from './importModel';

const ModelSpecSchema = z.object({
  id: z.string(),
  description: z.string(),
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  channels: z.array(z.enum(['search', 'template', 'difference'])),
  preprocessing: z.enum(['standard', 'braai']),
  maskedPixels: z.string(),
  training: z
    .object({
      optimizer: z.literal('adam'),
      learningRate: z.number(),
      batchSize: z.number().int(),
      earlyStoppingPatience: z.number().int(),
      maxEpochs: z.number().int(),
    })
    .optional(),
});

/** Stored metrics have exactly the shape the contract sends to the desk. */
export const EvaluationSchema = EvaluationSummarySchema;
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** What a version learned from, and its figures on real labels: the contract's shapes, stored as they travel. */
export type TrainedOn = z.infer<typeof TrainedOnSchema>;
export type RealEvaluation = z.infer<typeof RealEvaluationSchema>;

export const ModelMetaSchema = z.object({
  version: z.string(),
  createdAt: z.string(),
  kind: z.enum(['trained', 'imported']),
  spec: ModelSpecSchema,
  parent: z.string().nullable(),
  backend: z.string().nullable(),
  seed: z.number().nullable(),
  hyperparameters: z.record(z.string(), z.unknown()),
  cost: z.object({ params: z.number(), flopsPerStamp: z.number() }).nullable(),
  /** What it learned from (absent in versions made before this was recorded). */
  trainedOn: TrainedOnSchema.optional(),
  /**
   * Its figures on real labelled stamps it never trained on, with their source (null: none were
   * available). Unlike `evaluation`, which for a model trained on simulated data is a simulated figure.
   */
  realEvaluation: RealEvaluationSchema.nullable().optional(),
  /** The version that was active when it was trained, judged on the same held-out labels. */
  comparedWith: z.object({ version: z.string(), evaluation: EvaluationSummarySchema }).nullable().optional(),
  data: z
    .object({
      workspace: z.string(),
      /** Every night whose labels it saw (split ids are `<k>:<id>` when there are several). */
      nights: z.array(z.string()).optional(),
      fingerprint: z.string(),
      counts: z.object({ real: z.number().int(), bogus: z.number().int() }),
      labelSources: z.record(z.string(), z.number().int()),
      split: z.object({
        train: z.array(z.string()),
        validation: z.array(z.string()),
        test: z.array(z.string()),
        /** Labels of the test ids (1 real, 0 bogus), so any model can be judged on the same set later. */
        testLabels: z.array(z.number().int()).optional(),
      }),
    })
    .nullable(),
  curves: z.array(TrainingEpochSchema),
  bestEpoch: z.number().int().nullable(),
  /** Metrics on the held-out test split (trained) or on whatever labelled set it was evaluated on. */
  evaluation: EvaluationSchema.nullable(),
  /** Score at/above which a candidate is flagged: the threshold for the target MDR on held-out data. */
  threshold: z.number(),
  notes: z.string().default(''),
});
export type ModelMeta = z.infer<typeof ModelMetaSchema>;

export class ModelRegistry {
  constructor(readonly root: string) {}

  versionDir(version: string): string {
    // A version is a folder name of ours: no separators, no dot-names (`..` would leave the registry).
    if (!isVersionName(version)) {
      throw new Error(`invalid model version name "${version}"`);
    }
    return path.join(this.root, version);
  }

  list(): ModelMeta[] {
    if (!existsSync(this.root)) return [];
    const out: ModelMeta[] = [];
    for (const name of readdirSync(this.root)) {
      // A save cut short leaves <version>.tmp-<pid>: never a version.
      if (name.includes('.tmp-')) continue;
      const metaFile = path.join(this.root, name, 'meta.json');
      if (!existsSync(metaFile)) continue;
      try {
        out.push(ModelMetaSchema.parse(JSON.parse(readFileSync(metaFile, 'utf8'))));
      } catch {
        // A folder that is not a complete version (e.g. a save cut short) is not listed.
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  meta(version: string): ModelMeta {
    const file = path.join(this.versionDir(version), 'meta.json');
    if (!existsSync(file)) throw new Error(`model version ${version} not found in ${this.root}`);
    const parsed = ModelMetaSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new Error(`${file}: not a valid model record (${z.prettifyError(parsed.error)})`);
    return parsed.data;
  }

  has(version: string): boolean {
    return existsSync(path.join(this.versionDir(version), 'meta.json'));
  }

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

  /**
   * Register a published TF.js layers model (e.g. braai) as an inference-only version. Its spec
   * says how to feed it; its threshold is the publisher's 0.5 until evaluated on local labels.
   */
  async importFolder(folder: string, spec: ModelSpec, version: string): Promise<ModelMeta> {
    const { model } = await importLayersModel(folder, spec);
    const meta: ModelMeta = {
      version,
      createdAt: new Date().toISOString(),
      kind: 'imported',
      spec,
      parent: null,
      backend: null,
      seed: null,
      hyperparameters: { source: path.resolve(folder) },
      cost: null,
      data: null,
      curves: [],
      bestEpoch: null,
      evaluation: null,
      threshold: 0.5,
      notes: `imported from ${path.resolve(folder)}`,
    };
    try {
      if (!this.has(version)) await this.save(model, meta);
    } finally {
      model.dispose();
    }
    return this.meta(version);
  }

  /** Copy a version folder from elsewhere (e.g. the shipped default model) into this registry. */
  async adoptFolder(folder: string): Promise<ModelMeta> {
    const meta = ModelMetaSchema.parse(JSON.parse(readFileSync(path.join(folder, 'meta.json'), 'utf8')));
    const dir = this.versionDir(meta.version);
    if (!existsSync(dir)) {
      await fs.mkdir(this.root, { recursive: true });
      const tmp = `${dir}.tmp-${process.pid}`;
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.cp(folder, tmp, { recursive: true });
      await fs.rename(tmp, dir);
    }
    return meta;
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
