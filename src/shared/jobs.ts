/**
 * The long jobs (ingest, train, score, demo): what each takes and what each produces, one schema
 * per kind. Main starts them with these parameters, the compute worker validates them, and job
 * records (on disk, and on the wire to the desk) carry them typed by kind.
 */
import { z } from 'zod';

export const JobKindSchema = z.enum(['ingest', 'train', 'score', 'demo']);
export type JobKind = z.infer<typeof JobKindSchema>;

export const IngestJobParamsSchema = z.object({ folder: z.string().min(1) });

export const TrainJobParamsSchema = z.object({
  architecture: z.string().default('compact'),
  /** Fine-tune from the home's active model (default) or start from random weights. */
  fromScratch: z.boolean().default(false),
  /** The nights whose labels train it (folders); empty: the night the job runs in. */
  nights: z.array(z.string()).default([]),
  /** The home's active version when the job started: the parent, and the one compared against. */
  activeModel: z.string().nullable().default(null),
  /** Fraction of the human labels never trained on: the comparison set for adopting. */
  heldOutFraction: z.number().min(0).max(0.9).default(0.2),
  backend: z.string().default('auto'),
  seed: z.number().int().default(1),
  maxEpochs: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  learningRate: z.number().positive().optional(),
  patience: z.number().int().positive().optional(),
  notes: z.string().default(''),
});

export const ScoreJobParamsSchema = z.object({
  version: z.string(),
  backend: z.string().default('auto'),
  /** Make this version the home's active model once scored (the night shows it in any case). */
  adopt: z.boolean().default(true),
  /** Score only the candidates this version has no score for yet (appended since), keeping the rest. */
  onlyMissing: z.boolean().default(false),
  batchSize: z.number().int().positive().optional(),
});

export const DemoJobParamsSchema = z.object({
  n: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});

export const TrainJobResultSchema = z.object({
  /** The new version in the library. */
  version: z.string(),
  /** Human labels held out of training (the comparison set). */
  heldOut: z.number().int().nonnegative(),
  /** Candidates of the night scored by the new version right away. */
  scored: z.number().int().nonnegative(),
  /** A fine-tune on few labels keeps its parent's weights when no epoch beat them; it says which. */
  kept: z.enum(['parent', 'fine-tuned']).optional(),
  /** Why: the guard's verdict in words. */
  guard: z.string().optional(),
});

export const ScoreJobResultSchema = z.object({
  version: z.string(),
  adopt: z.boolean(),
  threshold: z.number(),
  scored: z.number().int().nonnegative(),
  /** The inference engine that ran (e.g. onnxruntime, tfjs-wasm). */
  engine: z.string(),
  /** Rows read from the night's preprocessed-rows cache and rows decoded and preprocessed anew. */
  cachedRows: z.number().int().nonnegative().optional(),
  computedRows: z.number().int().nonnegative().optional(),
});

export const DemoJobResultSchema = ScoreJobResultSchema.extend({
  ingested: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
});

export const JobParamsSchemas = {
  ingest: IngestJobParamsSchema,
  train: TrainJobParamsSchema,
  score: ScoreJobParamsSchema,
  demo: DemoJobParamsSchema,
} as const;

export const JobResultSchemas = {
  ingest: z.object({}),
  train: TrainJobResultSchema,
  score: ScoreJobResultSchema,
  demo: DemoJobResultSchema,
} as const;

/** What main passes to start a job of kind K (defaults may be left out). */
export type JobParamsIn<K extends JobKind> = z.input<(typeof JobParamsSchemas)[K]>;
export type JobParams<K extends JobKind> = z.output<(typeof JobParamsSchemas)[K]>;
export type JobResult<K extends JobKind> = z.output<(typeof JobResultSchemas)[K]>;
