/**
 * The home's model library as plain JSON: every trained or imported model is a version folder
 * holding its weights (read only by workers, see worker/model/registry.ts) and a meta.json with its
 * provenance: architecture, hyperparameters, backend, seed, the label set it saw (counts and
 * fingerprint), the split by candidate id, its metrics and training curves, and its parent version.
 * The main process lists, reads, compares and imports versions from these files alone, so it never
 * loads the engine. Versions are never modified after they are written, so rolling back is just
 * pointing the workspace at an older one.
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  EvaluationSummarySchema,
  isVersionName,
  RealEvaluationSchema,
  TrainedOnSchema,
  TrainingEpochSchema,
} from '../../shared/contract';
import { libraryRoot } from '../home/home';
import { writeFileAtomic } from '../util/atomicWrite';

export const ModelSpecSchema = z.object({
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
/** How a version is fed, as stored (the engine's ModelSpec has the same shape). */
export type StoredModelSpec = z.infer<typeof ModelSpecSchema>;

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

/** The metadata side of a library folder: what the main process may do with versions. */
export class ModelLibrary {
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

  /**
   * Put `folder`'s files into the library as `version`, with `meta` written last, through a temp
   * folder renamed into place: a version exists whole or not at all. An existing version is kept.
   */
  protected async copyIn(folder: string, version: string, meta?: ModelMeta): Promise<void> {
    const dir = this.versionDir(version);
    if (existsSync(dir)) return;
    await fs.mkdir(this.root, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.cp(folder, tmp, { recursive: true });
    if (meta)
      await writeFileAtomic(
        path.join(tmp, 'meta.json'),
        JSON.stringify(ModelMetaSchema.parse(meta), null, 2),
      );
    await fs.rename(tmp, dir);
  }

  /** Copy a version folder from elsewhere (e.g. the shipped default model) into this library. */
  async adoptFolder(folder: string): Promise<ModelMeta> {
    const file = path.join(folder, 'meta.json');
    const parsed = ModelMetaSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new Error(`${file}: not a valid model record (${z.prettifyError(parsed.error)})`);
    this.versionDir(parsed.data.version);
    await this.copyIn(folder, parsed.data.version);
    return parsed.data;
  }

  /**
   * Register a published TF.js layers model (e.g. braai) as an inference-only version: its files
   * as they are, and a meta.json saying how to feed it (its spec). Its threshold is the
   * publisher's 0.5 until evaluated on local labels. The model.json is checked here (format,
   * input shape against the spec, weight shards present), so a folder that would fail to load
   * in a worker is refused now, naming the file.
   */
  async importFolder(folder: string, spec: StoredModelSpec, version: string): Promise<ModelMeta> {
    const abs = path.resolve(folder);
    checkLayersModelJson(abs, spec);
    const meta: ModelMeta = {
      version,
      createdAt: new Date().toISOString(),
      kind: 'imported',
      spec,
      parent: null,
      backend: null,
      seed: null,
      hyperparameters: { source: abs },
      cost: null,
      data: null,
      curves: [],
      bestEpoch: null,
      evaluation: null,
      threshold: 0.5,
      notes: `imported from ${abs}`,
    };
    this.versionDir(version);
    await this.copyIn(abs, version, meta);
    return this.meta(version);
  }
}

const LayersModelJsonSchema = z.object({
  format: z.literal('layers-model').optional(),
  modelTopology: z.object({
    class_name: z.string().optional(),
    config: z.unknown(),
    model_config: z.object({ config: z.unknown() }).optional(),
  }),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.unknown()) })),
});

/** The first layer's batch input shape ([null, H, W, C]) of a Keras Sequential or functional topology. */
function inputShapeOf(topology: z.infer<typeof LayersModelJsonSchema>['modelTopology']): unknown {
  const config = (topology.model_config?.config ?? topology.config) as Record<string, unknown> | unknown[];
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown[] })?.layers;
  const first = (layers?.[0] as { config?: Record<string, unknown> } | undefined)?.config;
  return first?.batch_input_shape ?? first?.batchInputShape;
}

/** Throws, naming model.json, unless it is a TF.js layers model with the spec's input and all its shards. */
export function checkLayersModelJson(folder: string, spec: StoredModelSpec): void {
  const file = path.join(folder, 'model.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read model ${file}: ${(e as Error).message}`);
  }
  const parsed = LayersModelJsonSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file}: not a TF.js layers model (${z.prettifyError(parsed.error)})`);
  const shape = inputShapeOf(parsed.data.modelTopology);
  const [h, w] = spec.inputSize;
  const want = [null, h, w, spec.channels.length];
  if (!Array.isArray(shape) || JSON.stringify(shape) !== JSON.stringify(want))
    throw new Error(
      `Model in ${folder} takes input ${JSON.stringify(shape ?? 'unknown')}, but its spec says ${h}x${w}x${spec.channels.length}`,
    );
  for (const group of parsed.data.weightsManifest)
    for (const shard of group.paths) {
      const shardPath = path.join(folder, shard);
      if (path.relative(folder, shardPath).startsWith('..') || !existsSync(shardPath))
        throw new Error(`${file}: weight shard ${shard} is missing from ${folder}`);
    }
}

/** The library of the home SKYSIFT_HOME names, metadata side (the services keep one bound to their home). */
export function homeLibrary(): ModelLibrary {
  return new ModelLibrary(libraryRoot());
}
