/**
 * The Model panel's state outside React (like the desk's): the registry's versions, the training
 * job and its live curve, the comparison when it ends, the adopt/discard decision. It lives as
 * long as the app, so closing the panel mid-training loses no point of the curve, and it only
 * ever waits on the bridge asynchronously: the desk keeps vetting while it works.
 */
import type {
  CallResult,
  JobProgress,
  JobRecord,
  ModelSummary,
  SkysiftBridge,
} from '../../../../shared/contract';
import { addProgressPoint, pointsFromCurves, type EpochPoint } from './lossCurve';
import { ExternalStore } from '../externalStore';

export type Architecture = 'compact' | 'space2vec';
export type Comparison = CallResult<'modelCompare'>;

export interface RetrainOptions {
  architecture: Architecture;
  fromScratch: boolean;
  /** Fewer epochs than the trainer's default (a quick look, or the tests). */
  maxEpochs?: number;
  /** Whose labels: every night of the home (default) or the open night only. */
  nights: 'all' | 'this';
  /** Only nights with candidates from these surveys/instruments (absent: every night). */
  surveys?: string[];
}

export interface TrainingRun {
  jobId: string;
  /** The active model when training started: the one the candidate is compared against. */
  against: string | null;
  progress: JobProgress | null;
  points: readonly EpochPoint[];
}

export interface TrainingOutcome {
  jobId: string;
  state: JobRecord['state'];
  version: string | null;
  against: string | null;
  comparison: Comparison | null;
  /** Why the comparison or the job failed, in words. */
  error: string | null;
  points: readonly EpochPoint[];
  decision: 'adopted' | 'discarded' | null;
}

export interface ModelSnapshot {
  versions: ModelSummary[];
  trainJobs: JobRecord[];
  training: TrainingRun | null;
  outcome: TrainingOutcome | null;
  /** A scoring job (on open, after an ingest, "score with", or an adopt of a version not yet scored here). */
  scoring: JobProgress | null;
  /** The last import of a model folder: what came in, or why not. */
  imported: { version: string } | null;
  pending: boolean;
  error: string | null;
}

export interface ModelStoreDeps {
  bridge: SkysiftBridge;
  /** Ids the astronomer labelled real (for "missed confirmed reals"). */
  confirmedReals: () => Promise<string[]>;
  activeModel: () => string | null;
}

export class ModelStore extends ExternalStore<ModelSnapshot> {
  constructor(private readonly deps: ModelStoreDeps) {
    super({
      versions: [],
      trainJobs: [],
      training: null,
      outcome: null,
      scoring: null,
      imported: null,
      pending: false,
      error: null,
    });
  }

  /** Listen to the jobs; returns the unsubscribe (for React's effect cleanup). */
  connect(): () => void {
    const offs = [
      this.deps.bridge.on('jobProgress', (p) => this.onProgress(p)),
      this.deps.bridge.on('jobFinished', (r) => void this.onFinished(r)),
      this.deps.bridge.on('workspaceChanged', () => void this.refresh()),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Versions and training jobs from main; picks up a training job already running (a reload). */
  async refresh(): Promise<void> {
    try {
      const [versions, jobs] = await Promise.all([
        this.deps.bridge.invoke('modelsList', {}),
        this.deps.bridge.invoke('jobsList', {}),
      ]);
      const trainJobs = jobs.filter((j) => j.kind === 'train').reverse();
      const running = trainJobs.find((j) => j.state === 'running' || j.state === 'queued');
      const training =
        this.snap.training ??
        (running
          ? { jobId: running.id, against: this.deps.activeModel(), progress: null, points: [] }
          : null);
      this.update({ versions, trainJobs, training });
    } catch (e) {
      // No workspace open yet: nothing to list, and nothing wrong.
      this.update({
        versions: [],
        trainJobs: [],
        error: /No workspace/.test(String(e)) ? null : (e as Error).message,
      });
    }
  }

  onProgress(p: JobProgress): void {
    if (p.kind === 'score') {
      this.update({ scoring: p });
      return;
    }
    if (p.kind !== 'train') return;
    const run: TrainingRun =
      this.snap.training?.jobId === p.jobId
        ? this.snap.training
        : { jobId: p.jobId, against: this.deps.activeModel(), progress: null, points: [] };
    this.update({ training: { ...run, progress: p, points: addProgressPoint(run.points, p.metrics) } });
  }

  async onFinished(record: JobRecord): Promise<void> {
    if (record.kind === 'score') {
      this.update({ scoring: null });
      return;
    }
    if (record.kind !== 'train') return;
    const run = this.snap.training?.jobId === record.id ? this.snap.training : null;
    const version = typeof record.result.version === 'string' ? record.result.version : null;
    const against = run?.against ?? this.deps.activeModel();
    const outcome: TrainingOutcome = {
      jobId: record.id,
      state: record.state,
      version,
      against,
      comparison: null,
      error: record.state === 'done' ? null : (record.error ?? `The training job ended: ${record.state}.`),
      points: run?.points ?? [],
      decision: null,
    };
    this.update({ training: null, outcome });
    await this.refresh();
    if (!version) return;
    const summary = this.snap.versions.find((v) => v.version === version);
    const points = summary?.curves.length ? pointsFromCurves(summary.curves) : outcome.points;
    this.update({ outcome: { ...outcome, points } });
    try {
      const comparison = await this.deps.bridge.invoke('modelCompare', {
        candidate: version,
        against: against && against !== version ? against : null,
        confirmedReals: await this.deps.confirmedReals(),
      });
      this.update({ outcome: { ...outcome, points, comparison } });
    } catch (e) {
      this.update({ outcome: { ...outcome, points, error: `Comparison: ${(e as Error).message}` } });
    }
  }

  async retrain(opts: RetrainOptions): Promise<void> {
    await this.guard(async () => {
      // Main reads the labels of every night from its journals: none travel in the message.
      const { jobId } = await this.deps.bridge.invoke('trainStart', { ...opts });
      this.update({ outcome: null, training: this.freshRun(jobId) });
    });
  }

  /** An interrupted job again, with its own parameters (the journals' labels as they are now). */
  async restart(jobId: string): Promise<void> {
    await this.guard(async () => {
      const { jobId: id } = await this.deps.bridge.invoke('trainStart', { resumeJobId: jobId });
      this.update({ outcome: null, training: this.freshRun(id) });
    });
  }

  /** A run just started; progress may already have arrived for it (events race the reply). */
  private freshRun(jobId: string): TrainingRun {
    if (this.snap.training?.jobId === jobId) return this.snap.training;
    return { jobId, against: this.deps.activeModel(), progress: null, points: [] };
  }

  async cancel(): Promise<void> {
    const run = this.snap.training;
    if (run) await this.guard(() => this.deps.bridge.invoke('jobCancel', { jobId: run.jobId }));
  }

  /** Adopt, or roll back to, a version; the desk reorders when main says the workspace changed. */
  async adopt(version: string): Promise<void> {
    await this.guard(async () => {
      await this.deps.bridge.invoke('modelAdopt', { version });
      const o = this.snap.outcome;
      if (o?.version === version) this.update({ outcome: { ...o, decision: 'adopted' } });
    });
  }

  /** Put a TF.js model folder (e.g. braai) into the home's library. */
  async importModel(folder: string): Promise<boolean> {
    let ok = false;
    await this.guard(async () => {
      const summary = await this.deps.bridge.invoke('modelImport', { folder });
      this.update({ imported: { version: summary.version } });
      ok = true;
    });
    await this.refresh();
    return ok;
  }

  /** Score this night with a version without making it the home's (the night then shows it). */
  async scoreWith(version: string): Promise<void> {
    await this.guard(() => this.deps.bridge.invoke('scoreStart', { version, adopt: false }));
  }

  /** Keep the version in the registry, not active. */
  discard(): void {
    const o = this.snap.outcome;
    if (o) this.update({ outcome: { ...o, decision: 'discarded' } });
  }

  clearError(): void {
    this.update({ error: null });
  }

  private async guard(work: () => Promise<unknown>): Promise<void> {
    this.update({ pending: true, error: null });
    try {
      await work();
    } catch (e) {
      this.update({ error: (e as Error).message });
    } finally {
      this.update({ pending: false });
    }
  }
}
