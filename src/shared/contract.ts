/**
 * The contract between the renderer and main: every call declared once, with zod schemas for its
 * arguments and result; TS types are inferred from them. Both transports (Electron IPC and the
 * browser host's WebSocket) validate with these schemas, so a wrong message gets the same clear
 * error on either.
 */
import { z } from 'zod';
import { CandidateMetaSchema, GivenSchema, LabelValueSchema, SourceKindSchema } from './candidate';
import { JobKindSchema, JobParamsSchemas, JobResultSchemas } from './jobs';
import { CandidateContextResultSchema, ContextSummarySchema } from './context';

export { JobKindSchema };
import {
  ExportConfirmedArgsSchema,
  ExportResultSchema,
  HumanLabelSchema,
  LabelsExportArgsSchema,
  LabelsImportArgsSchema,
  LabelsImportResultSchema,
} from './labels';

export const HostKindSchema = z.enum(['electron', 'browser', 'cli']);

export const BackendInfoSchema = z.object({
  /** The compute backend the engine runs on, or null while no compute worker has started. */
  name: z.string().nullable(),
  reason: z.string(),
});

export const AppInfoSchema = z.object({
  version: z.string(),
  host: HostKindSchema,
  backend: BackendInfoSchema,
  workspace: z.string().nullable(),
});

export const WorkspaceSummarySchema = z.object({
  dir: z.string(),
  name: z.string(),
  simulated: z.boolean(),
  candidates: z.number().int().nonnegative(),
  sources: z.record(z.string(), z.number().int().nonnegative()),
  /** The library version whose scores this night shows (the one that scored it). */
  activeModel: z.string().nullable(),
  threshold: z.number().nullable(),
  /** Candidates with a score by activeModel. */
  scored: z.number().int().nonnegative(),
  /** The home's active model for this night's stamps: what scores it (and anything appended) on open. */
  homeModel: z.string().nullable(),
  /**
   * The night's seeing (median FWHM in pixels) as scoring measured it, and the factor its stamps are
   * resampled by for the model that scored it (1: as they are, as braai takes them); templateBlur
   * (sigma, px), present when that model sees the night's templates blurred to its search images'
   * seeing (a night much worse than its templates); null until the night is first scored.
   */
  seeing: z
    .object({
      fwhmPx: z.number().positive().nullable(),
      zoom: z.number().positive().max(1),
      templateBlur: z.number().positive().optional(),
    })
    .nullable()
    .optional(),
});

const LabelCountsSchema = z.object({
  real: z.number().int().nonnegative(),
  bogus: z.number().int().nonnegative(),
  skip: z.number().int().nonnegative(),
});

/** One night of the home, as the season's tally and the Night panel list them. */
export const NightSummarySchema = z.object({
  dir: z.string(),
  name: z.string(),
  simulated: z.boolean(),
  candidates: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  scoredBy: z.string().nullable(),
  threshold: z.number().nullable(),
  /** Candidates at or above the threshold of the version that scored the night. */
  flagged: z.number().int().nonnegative(),
  labels: LabelCountsSchema,
  /** Seconds the astronomer spent on the labelled candidates (from the journal). */
  secondsSpent: z.number().nonnegative(),
  lastOpenedAt: z.string(),
});

export const HomeInfoSchema = z.object({
  home: z.string(),
  /** The version that scores a night as it opens (unless one is set for its stamp size). */
  activeModel: z.string().nullable(),
  activeBySize: z.record(z.string(), z.string()),
  lastNight: z.string().nullable(),
  nights: z.array(NightSummarySchema),
  /** Seconds per candidate by hand, as the astronomer set it (null: not set). */
  handPaceSeconds: z.number().positive().nullable(),
});

/** The queue is sorted and filtered in the renderer (labels live there), so it gets light rows. */
export const CandidateRowSchema = z.object({
  id: z.string(),
  source: SourceKindSchema,
  meta: CandidateMetaSchema,
  given: GivenSchema,
  score: z.number().nullable(),
  /** Its object's light-curve summary, where the packet or the night knows more than this epoch. */
  context: ContextSummarySchema.optional(),
});

export const CandidateListSchema = z.object({
  workspace: z.string(),
  model: z.string().nullable(),
  rows: z.array(CandidateRowSchema),
});

/** A stamp on the wire: float32 little-endian pixels and the validity mask, base64-encoded. */
export const WireStampSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  data: z.string(),
  mask: z.string(),
});

export const WireTripletSchema = z.object({
  id: z.string(),
  search: WireStampSchema,
  template: WireStampSchema.nullable(),
  difference: WireStampSchema,
});

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);

export const JobProgressSchema = z.object({
  jobId: z.string(),
  kind: JobKindSchema,
  state: JobStateSchema,
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Units per second over the job so far (files, samples, stamps). */
  rate: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string(),
  /** Job-specific live figures (training: epoch, loss, valLoss, valAuc, samplesPerSecond). */
  metrics: z.record(z.string(), z.number().nullable()).optional(),
});

export const IngestErrorSchema = z.object({ file: z.string(), reason: z.string() });

export const IngestReportSchema = z.object({
  folder: z.string(),
  added: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  perSource: z.record(z.string(), z.number().int().nonnegative()),
  rejected: z.array(IngestErrorSchema),
  cancelled: z.boolean(),
});

const jobRecordBase = {
  id: z.string(),
  state: JobStateSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  report: IngestReportSchema.nullable(),
  error: z.string().nullable(),
};

/** A job record: its parameters and (once done; empty when cancelled or failed) its result, typed by kind. */
export const JobRecordSchema = z.discriminatedUnion('kind', [
  z.object({
    ...jobRecordBase,
    kind: z.literal('ingest'),
    params: JobParamsSchemas.ingest,
    result: JobResultSchemas.ingest.default({}),
  }),
  z.object({
    ...jobRecordBase,
    kind: z.literal('train'),
    params: JobParamsSchemas.train,
    result: JobResultSchemas.train.partial().default({}),
  }),
  z.object({
    ...jobRecordBase,
    kind: z.literal('score'),
    params: JobParamsSchemas.score,
    result: JobResultSchemas.score.partial().default({}),
  }),
  z.object({
    ...jobRecordBase,
    kind: z.literal('demo'),
    params: JobParamsSchemas.demo,
    result: JobResultSchemas.demo.partial().default({}),
  }),
]);

export const EvaluationSummarySchema = z.object({
  n: z.number().int(),
  reals: z.number().int(),
  bogus: z.number().int(),
  auc: z.number().nullable(),
  pippin: z.number().nullable(),
  atThresholds: z.array(
    z.object({
      threshold: z.number(),
      fpr: z.number().nullable(),
      mdr: z.number().nullable(),
      sum: z.number().nullable(),
    }),
  ),
  targetMdr: z.number(),
  operatingPoint: z.object({
    threshold: z.number().nullable(),
    fpr: z.number().nullable(),
    mdr: z.number().nullable(),
    fdr: z.number().nullable(),
    confusion: z.object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() }),
  }),
  histogram: z.object({
    edges: z.array(z.number()),
    all: z.array(z.number()),
    real: z.array(z.number()),
    bogus: z.array(z.number()),
  }),
  roc: z.array(z.object({ threshold: z.number().nullable(), tpr: z.number(), fpr: z.number() })),
});

/** One epoch of a training run, as the registry keeps it and the desk draws it. */
export const TrainingEpochSchema = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  valLoss: z.number(),
  valAuc: z.number().nullable(),
  seconds: z.number(),
  samplesPerSecond: z.number(),
});

/** What a model version learned from: the desk shows it beside every figure. */
export const TrainedOnSchema = z.object({
  data: z.enum(['simulated', 'injected-real', 'labelled-real', 'mixed', 'external']),
  surveys: z.array(z.string()),
  labels: z.object({ real: z.number().int(), bogus: z.number().int() }),
  description: z.string(),
});

/** A version's figures on real labelled stamps it never trained on, and where they come from. */
export const RealEvaluationSchema = z.object({
  source: z.string(),
  n: z.number().int().nonnegative(),
  evaluation: EvaluationSummarySchema,
});

export const ModelSummarySchema = z.object({
  version: z.string(),
  createdAt: z.string(),
  kind: z.enum(['trained', 'imported']),
  architecture: z.string(),
  parent: z.string().nullable(),
  backend: z.string().nullable(),
  /** What ran its training and on which device, e.g. "ONNX Runtime CPU (2 threads)", "tfjs (webgpu)". */
  trainer: z.string().nullable(),
  threshold: z.number(),
  /** Active in the home for this night's stamps (it scores the next night on open). */
  active: z.boolean(),
  /** Its scores are the ones this night shows. */
  shownHere: z.boolean(),
  /** It has scored this night already (showing it is instant). */
  scoredHere: z.boolean(),
  input: z.object({
    size: z.tuple([z.number().int(), z.number().int()]),
    channels: z.array(z.string()),
    preprocessing: z.string(),
  }),
  trainedOn: TrainedOnSchema.nullable(),
  realEvaluation: RealEvaluationSchema.nullable(),
  /** The nights whose labels trained it (folder names), when it was trained on labels. */
  nights: z.array(z.string()),
  /** The default model that ships with Skysift. */
  shipped: z.boolean(),
  labelCounts: z.object({ real: z.number().int(), bogus: z.number().int() }).nullable(),
  labelSources: z.record(z.string(), z.number().int()).nullable(),
  cost: z.object({ params: z.number(), flopsPerStamp: z.number() }).nullable(),
  evaluation: EvaluationSummarySchema.nullable(),
  curves: z.array(TrainingEpochSchema),
});

const NoArgs = z.object({}).strict();
/** The compute backend to force ('auto': the first that works, as the status bar says). */
export const BackendNameSchema = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
/** A model version names a folder of the registry: no separators, no dot-names. */
export function isVersionName(v: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(v) && !v.includes('..');
}
const VersionName = z
  .string()
  .refine(isVersionName, 'a model version name (letters, digits, . _ -; no leading dot, no "..")');

export const calls = {
  appInfo: { args: NoArgs, result: AppInfoSchema },
  workspaceCurrent: { args: NoArgs, result: WorkspaceSummarySchema.nullable() },
  workspaceOpen: {
    args: z.object({ dir: z.string().min(1), create: z.boolean().default(false) }).strict(),
    result: WorkspaceSummarySchema,
  },
  candidatesList: { args: NoArgs, result: CandidateListSchema },
  candidatesStamps: {
    args: z.object({ ids: z.array(z.string().min(1)).min(1).max(64) }).strict(),
    result: z.array(WireTripletSchema),
  },
  ingestStart: {
    args: z.object({ folder: z.string().min(1), resumeJobId: z.string().optional() }).strict(),
    result: z.object({ jobId: z.string() }),
  },
  jobCancel: { args: z.object({ jobId: z.string().min(1) }).strict(), result: z.object({ ok: z.boolean() }) },
  jobsList: { args: NoArgs, result: z.array(JobRecordSchema) },
  trainStart: {
    args: z
      .object({
        architecture: z.enum(['compact', 'space2vec']).default('compact'),
        fromScratch: z.boolean().default(false),
        /** Whose labels: every night of the home (default) or the open night only. Main reads the journals. */
        nights: z.enum(['all', 'this']).default('all'),
        /** Keep only nights whose candidates come from these surveys/instruments (absent: every night). */
        surveys: z.array(z.string().min(1)).optional(),
        maxEpochs: z.number().int().min(1).max(500).optional(),
        resumeJobId: z.string().optional(),
        /** Engine settings for pipelines and benchmarks (the desk leaves them to the defaults). */
        backend: BackendNameSchema.optional(),
        seed: z.number().int().optional(),
        batchSize: z.number().int().min(1).max(4096).optional(),
        learningRate: z.number().positive().max(1).optional(),
        patience: z.number().int().min(1).max(100).optional(),
        notes: z.string().max(2000).optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  scoreStart: {
    args: z
      .object({
        version: VersionName,
        adopt: z.boolean().default(true),
        backend: BackendNameSchema.optional(),
        batchSize: z.number().int().min(1).max(4096).optional(),
      })
      .strict(),
    result: z.object({ jobId: z.string() }),
  },
  modelsList: { args: NoArgs, result: z.array(ModelSummarySchema) },
  /** Put a TF.js layers model folder (e.g. braai) into the home's library. */
  modelImport: {
    args: z.object({ folder: z.string().min(1), version: VersionName.optional() }).strict(),
    result: ModelSummarySchema,
  },
  /** The home: its nights with their tallies, the active model, the night opened last. */
  homeInfo: { args: NoArgs, result: HomeInfoSchema },
  /** Seconds per candidate by hand, for the tally (null: prefer the measured pace). */
  homeSetHandPace: {
    args: z.object({ seconds: z.number().positive().max(3600).nullable() }).strict(),
    result: HomeInfoSchema,
  },
  /**
   * Labels given at the desk, into the night's journal: resolves once they are on disk (fsynced).
   * `removed`: labels taken back (undo of a first label).
   */
  labelsPut: {
    args: z
      .object({
        labels: z.array(HumanLabelSchema).max(100_000).default([]),
        removed: z
          .array(z.object({ candidateId: z.string().min(1), at: z.iso.datetime({ offset: true }) }))
          .max(100_000)
          .default([]),
      })
      .strict(),
    result: z.object({ acknowledged: z.number().int().nonnegative() }),
  },
  /** Every label of the open night, from main's journal (the system of record). */
  labelsList: {
    args: NoArgs,
    result: z.object({ workspace: z.string(), labels: z.array(HumanLabelSchema) }),
  },
  /** The open night's scores by a version (default: the one it shows); null where not scored. */
  candidatesScores: {
    args: z.object({ version: VersionName.optional() }).strict(),
    result: z.object({
      version: z.string().nullable(),
      scores: z.array(z.object({ id: z.string(), score: z.number().nullable() })),
    }),
  },
  /** Confirmed supernovae ('real' labels joined with the catalog) to CSV, JSON, VOTable or a TNS draft. */
  exportConfirmed: { args: ExportConfirmedArgsSchema, result: ExportResultSchema },
  /** The whole label set to a CSV or JSON file a colleague can import. */
  labelsExport: {
    args: LabelsExportArgsSchema,
    result: z.object({ file: z.string(), rows: z.number().int().nonnegative() }),
  },
  /** Read a label-set file against the labels held now: new ones, conflicts, unknown ids, errors. */
  labelsImport: { args: LabelsImportArgsSchema, result: LabelsImportResultSchema },
  modelCompare: {
    args: z
      .object({
        candidate: VersionName,
        against: VersionName.nullable(),
        /** Ids the astronomer labelled real: how many each model would have missed. */
        confirmedReals: z.array(z.string()).max(2_000_000).default([]),
      })
      .strict(),
    result: z.object({
      heldOut: z.object({ n: z.number().int(), reals: z.number().int(), bogus: z.number().int() }),
      confirmedReals: z.number().int(),
      models: z.array(
        z.object({
          version: z.string(),
          threshold: z.number(),
          evaluation: EvaluationSummarySchema.nullable(),
          missedConfirmed: z.number().int(),
        }),
      ),
    }),
  },
  /** A native folder chooser (Electron only; the browser host answers available: false). */
  pickFolder: {
    args: z.object({ title: z.string().max(200).default('Choose a folder') }).strict(),
    result: z.object({ available: z.boolean(), path: z.string().nullable() }),
  },
  /** A candidate's context facts and its object's light curve (over the nights of the home). */
  candidateContext: {
    args: z.object({ id: z.string().min(1) }).strict(),
    result: CandidateContextResultSchema,
  },
  /** Make a version active (scoring the workspace first if it has not yet); also the roll back. */
  modelAdopt: {
    args: z.object({ version: VersionName }).strict(),
    result: z.object({ jobId: z.string().nullable(), activeModel: z.string().nullable() }),
  },
} as const;

export const events = {
  jobProgress: JobProgressSchema,
  jobFinished: JobRecordSchema,
  workspaceChanged: WorkspaceSummarySchema,
  backendChanged: BackendInfoSchema,
} as const;

export type CallName = keyof typeof calls;
export type CallArgs<N extends CallName> = z.input<(typeof calls)[N]['args']>;
export type CallResult<N extends CallName> = z.output<(typeof calls)[N]['result']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type AppInfo = z.output<typeof AppInfoSchema>;
export type HomeInfo = z.output<typeof HomeInfoSchema>;
export type NightSummary = z.output<typeof NightSummarySchema>;
export type TrainedOn = z.output<typeof TrainedOnSchema>;
export type RealEvaluation = z.output<typeof RealEvaluationSchema>;
export type BackendInfo = z.output<typeof BackendInfoSchema>;
export type WorkspaceSummary = z.output<typeof WorkspaceSummarySchema>;
export type CandidateRow = z.output<typeof CandidateRowSchema>;
export type WireStamp = z.output<typeof WireStampSchema>;
export type WireTriplet = z.output<typeof WireTripletSchema>;
export type JobProgress = z.output<typeof JobProgressSchema>;
export type JobRecord = z.output<typeof JobRecordSchema>;
export type IngestReport = z.output<typeof IngestReportSchema>;
export type ModelSummary = z.output<typeof ModelSummarySchema>;
export type EvaluationSummary = z.output<typeof EvaluationSummarySchema>;
export type LabelValue = z.output<typeof LabelValueSchema>;

/** What the renderer sees as `window.skysift`, whichever transport carries it. */
export interface SkysiftBridge {
  invoke<N extends CallName>(call: N, args: CallArgs<N>): Promise<CallResult<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** A schema failure, phrased for a person: which call, which field, what was wrong. */
export class ContractError extends Error {
  constructor(
    readonly call: string,
    detail: string,
  ) {
    super(`Invalid message for "${call}": ${detail}`);
    this.name = 'ContractError';
  }
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

export function parseArgs<N extends CallName>(call: N, args: unknown): CallArgs<N> {
  const parsed = calls[call].args.safeParse(args ?? {});
  if (!parsed.success) throw new ContractError(call, z.prettifyError(parsed.error));
  return parsed.data as CallArgs<N>;
}

export function parseResult<N extends CallName>(call: N, result: unknown): CallResult<N> {
  const parsed = calls[call].result.safeParse(result);
  if (!parsed.success) throw new ContractError(`${call} (result)`, z.prettifyError(parsed.error));
  return parsed.data as CallResult<N>;
}

export function parseEvent<E extends EventName>(event: E, payload: unknown): EventPayload<E> {
  const parsed = events[event].safeParse(payload);
  if (!parsed.success) throw new ContractError(`event ${event}`, z.prettifyError(parsed.error));
  return parsed.data as EventPayload<E>;
}

/** The WebSocket frames of the browser host (the IPC transport needs none: Electron frames it). */
export const WsRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  token: z.string(),
  call: z.string(),
  args: z.unknown(),
});
export const WsResponseSchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
export type WsRequest = z.output<typeof WsRequestSchema>;
export type WsResponse = z.output<typeof WsResponseSchema>;
