/**
 * The jobs resource: ingest, training, scoring and the demo night run in compute workers (the
 * JobManager forks them); this module decides when they may start, with what, and what a
 * finished one changes (the night shows the version that scored it, an adopting score makes it
 * the home's). Every night ends scored: on open, after an ingest, after candidates are appended.
 */
import type { CallArgs, JobRecord } from '../../shared/contract';
import type { JobKind } from '../../shared/jobs';
import type { Workspace } from '../catalog/workspace';
import { JobManager } from '../jobs/jobManager';
import { nativeSize, type AppState } from './state';

export class JobsService {
  readonly manager: JobManager;
  /** Automatic scorings that failed, by night and version: not retried on their own (the error is shown). */
  private autoScoreFailed = new Set<string>();

  constructor(private readonly state: AppState) {
    this.manager = new JobManager(state.events, () => state.currentWorkspace(), {
      onFinished: (record, result, ws) => this.afterJob(record, result, ws),
    });
  }

  list(): JobRecord[] {
    return this.manager.list();
  }

  cancel(jobId: string): boolean {
    return this.manager.cancel(jobId);
  }

  isBusy(kind?: JobKind): boolean {
    return this.manager.isBusy(kind);
  }

  /** Stop every compute worker (quit). Their records read as interrupted on the next open. */
  killAll(): void {
    this.manager.killAll();
  }

  /** A night opens: jobs that were running when the app stopped read as interrupted. */
  reconcile(ws: Workspace): void {
    this.manager.reconcile(ws);
  }

  private async afterJob(record: JobRecord, result: Record<string, unknown>, ws: Workspace): Promise<void> {
    const version = typeof result.version === 'string' ? result.version : null;
    if (record.state === 'done' && version && (record.kind === 'score' || record.kind === 'demo')) {
      // The night shows what scored it; an adopting job also makes the version the home's.
      await ws.update({ activeModel: version, threshold: Number(result.threshold) });
      if (result.adopt === true)
        this.state.home.setActive(version, nativeSize(this.state.library.meta(version)));
    }
    if (record.state === 'failed' && record.kind === 'score' && version)
      this.autoScoreFailed.add(`${ws.dir}\n${version}`);
    if (ws === this.state.currentWorkspace()) {
      if (record.kind === 'ingest') this.state.setOpenSize(await ws.stampSize());
      this.state.emitChanged(ws);
      // An ingest (or a score that left candidates appended meanwhile) ends with the night scored.
      if (record.state === 'done') await this.ensureScored();
    }
  }

  /**
   * Every night is scored: one never scored gets the home's model for its stamps; candidates
   * appended since get scores from the version the night shows. Returns the scoring job, if any.
   */
  async ensureScored(): Promise<string | null> {
    const ws = this.state.currentWorkspace();
    if (!ws || ws.size === 0) return null;
    if (this.isBusy('score') || this.isBusy('ingest') || this.isBusy('demo')) return null;
    const library = this.state.library;
    const shown = ws.settings.activeModel;
    const version = shown && library.has(shown) ? shown : this.state.homeModel();
    if (!version || !library.has(version)) return null;
    const scored = ws.scoredCount(version);
    if (scored === ws.size || this.autoScoreFailed.has(`${ws.dir}\n${version}`)) return null;
    return this.manager.start('score', { version, adopt: false, onlyMissing: scored > 0 });
  }

  async startIngest(folder: string, resumeJobId?: string): Promise<string> {
    this.state.requireWorkspace();
    if (this.isBusy('ingest'))
      throw new Error('An ingest is already running in this workspace: wait for it or cancel it.');
    return this.manager.start('ingest', { folder }, resumeJobId);
  }

  /** The first run's demo night: simulated, ingested and scored in a worker. */
  async startDemo(): Promise<string> {
    this.state.requireWorkspace();
    return this.manager.start('demo', {});
  }

  /** The nights whose labels a retrain reads: all of the home's (optionally by survey) or this one. */
  private async trainingNights(which: 'all' | 'this', surveys?: string[]): Promise<string[]> {
    const ws = this.state.requireWorkspace();
    if (which === 'this') return [ws.dir];
    const dirs = new Set([ws.dir, ...this.state.home.nights().map((n) => n.dir)]);
    if (!surveys?.length) return [...dirs];
    const wanted = new Set(surveys.map((s) => s.toLowerCase()));
    const out: string[] = [];
    for (const dir of dirs) {
      const night = await this.state.night(dir);
      if (night.list().some((e) => wanted.has((e.meta.survey ?? e.source).toLowerCase()))) out.push(dir);
    }
    if (!out.length) throw new Error(`No night of the home has candidates from ${surveys.join(', ')}.`);
    return out;
  }

  async startTrain(args: CallArgs<'trainStart'>): Promise<string> {
    this.state.requireWorkspace();
    if (this.isBusy('train')) throw new Error('A training job is already running: wait for it or cancel it.');
    const { resumeJobId, nights, surveys, ...params } = args;
    if (resumeJobId) {
      const prior = this.manager.get(resumeJobId);
      if (!prior || prior.kind !== 'train')
        throw new Error(`No training job ${resumeJobId} to restart in this workspace.`);
      return this.manager.start('train', prior.params);
    }
    return this.manager.start('train', {
      ...params,
      nights: await this.trainingNights(nights ?? 'all', surveys),
      activeModel: this.state.homeModel(),
    });
  }

  async startScore(
    version: string,
    adopt: boolean,
    engine: { backend?: string; batchSize?: number } = {},
  ): Promise<string> {
    const ws = this.state.requireWorkspace();
    if (!this.state.library.has(version))
      throw new Error(`No model version ${version} in the home's library.`);
    if (this.isBusy('score')) throw new Error('A scoring job is already running: wait for it or cancel it.');
    this.autoScoreFailed.delete(`${ws.dir}\n${version}`);
    return this.manager.start('score', { version, adopt, ...engine });
  }
}
