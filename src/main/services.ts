/**
 * The services behind the contract: the open workspace, the job manager, the compute backend
 * that the last worker reported. One instance per app (Electron main or browser host or CLI).
 */
import type {
  AppInfo,
  BackendInfo,
  CallArgs,
  CallResult,
  CandidateRow,
  ModelSummary,
  WireTriplet,
} from '../shared/contract';
import { registryFor } from './model/engineJobs';
import { Workspace } from './catalog/workspace';
import { EventBus } from './events';
import { JobManager } from './jobs/jobManager';
import { exportConfirmed, exportLabelSet, importLabelSet } from './export/exportService';
import { stampToWire } from './util/base64';
import { contextSummaries } from './catalog/objectHistory';

export interface ServicesOptions {
  host: AppInfo['host'];
  version: string;
  /** The host's native folder chooser, where it has one (Electron's dialog). */
  chooseFolder?: (title: string) => Promise<string | null>;
}

export class Services {
  readonly events = new EventBus();
  readonly jobs: JobManager;
  private workspace: Workspace | null = null;
  private backend: BackendInfo = {
    name: null,
    reason: 'No compute worker has run yet: it starts with the first ingest, training or scoring job.',
  };

  constructor(private readonly opts: ServicesOptions) {
    this.jobs = new JobManager(this.events, () => this.workspace, {
      onFinished: async (record, result) => {
        const ws = this.workspace;
        if (!ws) return;
        // A scoring job that was asked to adopt makes its version the active model once its scores exist.
        const scored = record.kind === 'score' || record.kind === 'demo';
        if (
          scored &&
          record.state === 'done' &&
          result.adopt === true &&
          typeof result.version === 'string'
        ) {
          await ws.update({ activeModel: result.version, threshold: Number(result.threshold) });
        }
        this.events.emit('workspaceChanged', ws.summary());
      },
    });
    this.events.subscribe((event, payload) => {
      if (event === 'backendChanged') this.backend = payload as BackendInfo;
    });
  }

  async pickFolder(title: string): Promise<{ available: boolean; path: string | null }> {
    if (!this.opts.chooseFolder) return { available: false, path: null };
    return { available: true, path: await this.opts.chooseFolder(title) };
  }

  appInfo(): AppInfo {
    return {
      version: this.opts.version,
      host: this.opts.host,
      backend: this.backend,
      workspace: this.workspace?.dir ?? null,
    };
  }

  currentWorkspace(): Workspace | null {
    return this.workspace;
  }

  requireWorkspace(): Workspace {
    if (!this.workspace) throw new Error('No workspace is open: open a night (a folder of stamps) first.');
    return this.workspace;
  }

  async openWorkspace(
    dir: string,
    create: boolean,
    extra: { simulated?: boolean; name?: string } = {},
  ): Promise<Workspace> {
    const ws = await Workspace.open(dir, { create, ...extra });
    this.workspace = ws;
    this.jobs.reconcile(ws);
    this.events.emit('workspaceChanged', ws.summary());
    return ws;
  }

  candidateList(): { workspace: string; model: string | null; rows: CandidateRow[] } {
    const ws = this.requireWorkspace();
    ws.refresh();
    const model = ws.settings.activeModel;
    const scores = ws.scores(model);
    const context = contextSummaries(ws, [], scores);
    return {
      workspace: ws.dir,
      model,
      rows: ws.list().map((e) => ({
        id: e.id,
        source: e.source,
        meta: e.meta,
        given: e.given,
        score: scores?.get(e.id) ?? null,
        context: context.get(e.id),
      })),
    };
  }

  async stamps(ids: string[]): Promise<WireTriplet[]> {
    const ws = this.requireWorkspace();
    return Promise.all(
      ids.map(async (id) => {
        const t = await ws.readTriplet(id);
        return {
          id,
          search: stampToWire(t.search),
          template: t.template ? stampToWire(t.template) : null,
          difference: stampToWire(t.difference),
        };
      }),
    );
  }

  async startTrain(args: CallArgs<'trainStart'>): Promise<string> {
    this.requireWorkspace();
    if (this.jobs.isBusy('train'))
      throw new Error('A training job is already running: wait for it or cancel it.');
    const { resumeJobId, ...params } = args;
    if (resumeJobId) {
      const prior = this.jobs.get(resumeJobId);
      if (!prior || prior.kind !== 'train')
        throw new Error(`No training job ${resumeJobId} to restart in this workspace.`);
      return this.jobs.start('train', prior.params);
    }
    return this.jobs.start('train', params);
  }

  async startScore(version: string, adopt: boolean): Promise<string> {
    const ws = this.requireWorkspace();
    if (!registryFor(ws).has(version))
      throw new Error(`No model version ${version} in this workspace's registry.`);
    if (this.jobs.isBusy('score'))
      throw new Error('A scoring job is already running: wait for it or cancel it.');
    return this.jobs.start('score', { version, adopt });
  }

  /**
   * Adopt (or roll back to) a version: instant when its scores for this workspace exist, else a
   * scoring job that adopts it when done. The queue reorders when workspaceChanged arrives.
   */
  async adopt(version: string): Promise<{ jobId: string | null; activeModel: string | null }> {
    const ws = this.requireWorkspace();
    const registry = registryFor(ws);
    if (!registry.has(version)) throw new Error(`No model version ${version} in this workspace's registry.`);
    if (ws.scores(version)) {
      await ws.update({ activeModel: version, threshold: registry.meta(version).threshold });
      this.events.emit('workspaceChanged', ws.summary());
      return { jobId: null, activeModel: version };
    }
    return { jobId: await this.startScore(version, true), activeModel: ws.settings.activeModel };
  }

  models(): ModelSummary[] {
    const ws = this.requireWorkspace();
    return registryFor(ws)
      .list()
      .map((m) => ({
        version: m.version,
        createdAt: m.createdAt,
        kind: m.kind,
        architecture: m.spec.id,
        parent: m.parent,
        backend: m.backend,
        threshold: m.threshold,
        active: ws.settings.activeModel === m.version,
        labelCounts: m.data?.counts ?? null,
        labelSources: m.data?.labelSources ?? null,
        cost: m.cost,
        evaluation: m.evaluation,
        curves: m.curves,
      }));
  }

  exportConfirmed(args: CallArgs<'exportConfirmed'>): Promise<CallResult<'exportConfirmed'>> {
    return exportConfirmed(this.requireWorkspace(), args);
  }

  exportLabels(args: CallArgs<'labelsExport'>): Promise<CallResult<'labelsExport'>> {
    return exportLabelSet(this.requireWorkspace(), args);
  }

  importLabels(args: CallArgs<'labelsImport'>): Promise<CallResult<'labelsImport'>> {
    return importLabelSet(this.requireWorkspace(), args);
  }

  async startIngest(folder: string, resumeJobId?: string): Promise<string> {
    this.requireWorkspace();
    if (this.jobs.isBusy('ingest'))
      throw new Error('An ingest is already running in this workspace: wait for it or cancel it.');
    return this.jobs.start('ingest', { folder }, resumeJobId);
  }
}
