/**
 * The services behind the contract: the home (model library, nights, settings), the open night,
 * its label journal, the job manager, and the compute backend the last worker reported. One
 * instance per app (Electron main, browser host or CLI); all three reach it through createApi.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AppInfo,
  BackendInfo,
  CallArgs,
  CallResult,
  CandidateRow,
  HomeInfo,
  JobRecord,
  ModelSummary,
  NightSummary,
  WireTriplet,
  WorkspaceSummary,
} from '../shared/contract';
import { homeLibrary as modelLibrary } from './library/modelLibrary';
import { Workspace } from './catalog/workspace';
import { workspaceLayout } from './catalog/layout';
import { countLabels, LabelJournal, type JournalEvent } from './catalog/labelJournal';
import { EventBus } from './events';
import { JobManager } from './jobs/jobManager';
import { dataLabels, exportConfirmed, exportLabelSet, importLabelSet } from './export/exportService';
import type { HumanLabel } from '../shared/labels';
import { stampToWire } from './util/base64';
import { shippedModelDir } from './util/resources';
import { Home, skysiftHome } from './home/home';
import { importModelFolder } from './library/importModel';
import type { ModelMeta } from './library/modelLibrary';
import { contextSummaries } from './catalog/objectHistory';

export interface ServicesOptions {
  host: AppInfo['host'];
  version: string;
  /** The home folder (default: SKYSIFT_HOME or ~/.skysift). */
  home?: string;
  /** The host's native folder chooser, where it has one (Electron's dialog). */
  chooseFolder?: (title: string) => Promise<string | null>;
}

/** The version name of the default model that ships in resources/. */
function shippedVersion(): string | null {
  try {
    return (
      JSON.parse(readFileSync(path.join(shippedModelDir(), 'meta.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return null;
  }
}

/** A model with a fixed native input (e.g. braai's 63x63) is active for stamps of that size only. */
function nativeSize(meta: ModelMeta): string | null {
  return meta.kind === 'imported' ? `${meta.spec.inputSize[0]}x${meta.spec.inputSize[1]}` : null;
}

export class Services {
  readonly events = new EventBus();
  readonly jobs: JobManager;
  readonly home: Home;
  private workspace: Workspace | null = null;
  private journal: LabelJournal | null = null;
  private nightSize: string | null = null;
  /** Automatic scorings that failed, by night and version: not retried on their own (the error is shown). */
  private autoScoreFailed = new Set<string>();
  private backend: BackendInfo = {
    name: null,
    reason: 'No compute worker has run yet: it starts with the first ingest, training or scoring job.',
  };

  constructor(private readonly opts: ServicesOptions) {
    this.home = Home.open(opts.home ?? skysiftHome());
    // Compute workers inherit the environment: they must find the same home and library.
    process.env.SKYSIFT_HOME = this.home.root;
    this.jobs = new JobManager(this.events, () => this.workspace, {
      onFinished: (record, result, ws) => this.afterJob(record, result, ws),
    });
    this.events.subscribe((event, payload) => {
      if (event === 'backendChanged') this.backend = payload as BackendInfo;
    });
  }

  /** The shipped default in the library, active where the home has none yet (first start). */
  async ensureDefaultModel(): Promise<string> {
    const meta = await modelLibrary().adoptFolder(shippedModelDir());
    this.home.ensureActive(meta.version);
    return meta.version;
  }

  private async afterJob(record: JobRecord, result: Record<string, unknown>, ws: Workspace): Promise<void> {
    const version = typeof result.version === 'string' ? result.version : null;
    if (record.state === 'done' && version && (record.kind === 'score' || record.kind === 'demo')) {
      // The night shows what scored it; an adopting job also makes the version the home's.
      await ws.update({ activeModel: version, threshold: Number(result.threshold) });
      if (result.adopt === true) this.home.setActive(version, nativeSize(modelLibrary().meta(version)));
    }
    if (record.state === 'failed' && record.kind === 'score' && version)
      this.autoScoreFailed.add(`${ws.dir}\n${version}`);
    if (ws === this.workspace) {
      if (record.kind === 'ingest') this.nightSize = await ws.stampSize();
      this.events.emit('workspaceChanged', this.summary(ws));
      // An ingest (or a score that left candidates appended meanwhile) ends with the night scored.
      if (record.state === 'done') await this.ensureScored();
    }
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

  private requireJournal(): LabelJournal {
    this.requireWorkspace();
    return this.journal!;
  }

  /** The version that scores this night on open: the home's active model for its stamp size. */
  homeModel(): string | null {
    return this.home.activeFor(this.nightSize);
  }

  summary(ws: Workspace = this.requireWorkspace()): WorkspaceSummary {
    return ws.summary(ws === this.workspace ? this.homeModel() : this.home.activeFor(null));
  }

  async openWorkspace(
    dir: string,
    create: boolean,
    extra: { simulated?: boolean; name?: string } = {},
  ): Promise<Workspace> {
    const ws = await Workspace.open(dir, { create, ...extra });
    await this.ensureDefaultModel();
    await this.moveLegacyModels(ws);
    // Everything about the night is settled before it becomes the open one (calls may come at once).
    this.jobs.reconcile(ws);
    const size = await ws.stampSize();
    this.home.opened(ws.dir);
    this.workspace = ws;
    this.journal = new LabelJournal(ws.dir);
    this.nightSize = size;
    this.events.emit('workspaceChanged', this.summary(ws));
    await this.ensureScored();
    return ws;
  }

  /** Versions trained before models lived in the home sit in the night's models/: put them in the library. */
  private async moveLegacyModels(ws: Workspace): Promise<void> {
    const legacy = workspaceLayout(ws.dir).legacyModels;
    if (!existsSync(legacy)) return;
    const library = modelLibrary();
    for (const name of readdirSync(legacy)) {
      const folder = path.join(legacy, name);
      if (name.includes('.tmp-') || !existsSync(path.join(folder, 'meta.json'))) continue;
      try {
        await library.adoptFolder(folder);
      } catch (e) {
        console.error(`[skysift] ${folder}: not moved into the model library (${(e as Error).message})`);
      }
    }
  }

  /**
   * Every night is scored: one never scored gets the home's model for its stamps; candidates
   * appended since get scores from the version the night shows. Returns the scoring job, if any.
   */
  async ensureScored(): Promise<string | null> {
    const ws = this.workspace;
    if (!ws || ws.size === 0) return null;
    if (this.jobs.isBusy('score') || this.jobs.isBusy('ingest') || this.jobs.isBusy('demo')) return null;
    const library = modelLibrary();
    const shown = ws.settings.activeModel;
    const version = shown && library.has(shown) ? shown : this.homeModel();
    if (!version || !library.has(version)) return null;
    const scored = ws.scoredCount(version);
    if (scored === ws.size || this.autoScoreFailed.has(`${ws.dir}\n${version}`)) return null;
    return this.jobs.start('score', { version, adopt: false, onlyMissing: scored > 0 });
  }

  /**
   * A night of the home other than the open one, kept open between calls (the tally, the light
   * curves and retraining all ask for them): a refresh reads only the catalog parts added since.
   */
  private openNights = new Map<string, Workspace>();
  private async night(dir: string): Promise<Workspace> {
    if (dir === this.workspace?.dir) return this.workspace;
    let ws = this.openNights.get(dir);
    if (ws) ws.refresh();
    else this.openNights.set(dir, (ws = await Workspace.open(dir)));
    return ws;
  }

  /** The home's other nights, for objects seen on several nights (light curves, "new this night"). */
  async otherNights(): Promise<Workspace[]> {
    const current = this.requireWorkspace();
    const out: Workspace[] = [];
    for (const n of this.home.nights()) {
      if (n.dir === current.dir) continue;
      try {
        out.push(await this.night(n.dir));
      } catch (e) {
        console.error(`[skysift] night ${n.dir} left out of the light curves: ${(e as Error).message}`);
      }
    }
    return out;
  }

  async candidateList(): Promise<{ workspace: string; model: string | null; rows: CandidateRow[] }> {
    const ws = this.requireWorkspace();
    ws.refresh();
    const model = ws.settings.activeModel;
    const scores = ws.scores(model);
    const context = contextSummaries(ws, await this.otherNights(), scores);
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

  candidateScores(version: string | undefined): CallResult<'candidatesScores'> {
    const ws = this.requireWorkspace();
    const v = version ?? ws.settings.activeModel;
    const scores = ws.scores(v ?? null);
    if (version && !scores)
      throw new Error(`${version} has not scored ${ws.dir}: score the night with it first`);
    return { version: v, scores: ws.list().map((e) => ({ id: e.id, score: scores?.get(e.id) ?? null })) };
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

  /** The nights whose labels a retrain reads: all of the home's (optionally by survey) or this one. */
  private async trainingNights(which: 'all' | 'this', surveys?: string[]): Promise<string[]> {
    const ws = this.requireWorkspace();
    if (which === 'this') return [ws.dir];
    const dirs = new Set([ws.dir, ...this.home.nights().map((n) => n.dir)]);
    if (!surveys?.length) return [...dirs];
    const wanted = new Set(surveys.map((s) => s.toLowerCase()));
    const out: string[] = [];
    for (const dir of dirs) {
      const night = await this.night(dir);
      if (night.list().some((e) => wanted.has((e.meta.survey ?? e.source).toLowerCase()))) out.push(dir);
    }
    if (!out.length) throw new Error(`No night of the home has candidates from ${surveys.join(', ')}.`);
    return out;
  }

  async startTrain(args: CallArgs<'trainStart'>): Promise<string> {
    this.requireWorkspace();
    if (this.jobs.isBusy('train'))
      throw new Error('A training job is already running: wait for it or cancel it.');
    const { resumeJobId, nights, surveys, ...params } = args;
    if (resumeJobId) {
      const prior = this.jobs.get(resumeJobId);
      if (!prior || prior.kind !== 'train')
        throw new Error(`No training job ${resumeJobId} to restart in this workspace.`);
      return this.jobs.start('train', prior.params);
    }
    return this.jobs.start('train', {
      ...params,
      nights: await this.trainingNights(nights ?? 'all', surveys),
      activeModel: this.homeModel(),
    });
  }

  async startScore(
    version: string,
    adopt: boolean,
    engine: { backend?: string; batchSize?: number } = {},
  ): Promise<string> {
    this.requireWorkspace();
    if (!modelLibrary().has(version)) throw new Error(`No model version ${version} in the home's library.`);
    if (this.jobs.isBusy('score'))
      throw new Error('A scoring job is already running: wait for it or cancel it.');
    this.autoScoreFailed.delete(`${this.requireWorkspace().dir}\n${version}`);
    return this.jobs.start('score', { version, adopt, ...engine });
  }

  /**
   * Adopt (or roll back to) a version: it becomes the home's active model (the next night is
   * scored by it on open) and this night shows it: at once when its scores exist, else after a
   * scoring job. The queue reorders when workspaceChanged arrives.
   */
  async adopt(version: string): Promise<{ jobId: string | null; activeModel: string | null }> {
    const ws = this.requireWorkspace();
    const library = modelLibrary();
    if (!library.has(version)) throw new Error(`No model version ${version} in the home's library.`);
    const meta = library.meta(version);
    if (ws.scoredCount(version) === ws.size) {
      this.home.setActive(version, nativeSize(meta));
      await ws.update({ activeModel: version, threshold: meta.threshold });
      this.events.emit('workspaceChanged', this.summary(ws));
      return { jobId: null, activeModel: version };
    }
    return { jobId: await this.startScore(version, true), activeModel: ws.settings.activeModel };
  }

  models(): ModelSummary[] {
    const ws = this.workspace;
    const shipped = shippedVersion();
    const active = this.homeModel();
    return modelLibrary()
      .list()
      .map((m) => ({
        version: m.version,
        createdAt: m.createdAt,
        kind: m.kind,
        architecture: m.spec.id,
        parent: m.parent,
        backend: m.backend,
        threshold: m.threshold,
        active: active === m.version,
        shownHere: ws?.settings.activeModel === m.version,
        scoredHere: !!ws && ws.size > 0 && ws.scoredCount(m.version) === ws.size,
        input: { size: m.spec.inputSize, channels: m.spec.channels, preprocessing: m.spec.preprocessing },
        trainedOn: m.trainedOn ?? null,
        realEvaluation: m.realEvaluation ?? null,
        nights: (m.data?.nights ?? (m.data ? [m.data.workspace] : [])).map((d) => path.basename(d)),
        shipped: m.version === shipped,
        labelCounts: m.data?.counts ?? null,
        labelSources: m.data?.labelSources ?? null,
        cost: m.cost,
        evaluation: m.evaluation,
        curves: m.curves,
      }));
  }

  async importModel(folder: string, version?: string): Promise<ModelSummary> {
    const meta = await importModelFolder(modelLibrary(), folder, version);
    const size = nativeSize(meta);
    if (size) this.home.setActive(meta.version, size);
    if (this.workspace) this.events.emit('workspaceChanged', this.summary());
    return this.models().find((m) => m.version === meta.version)!;
  }

  private nightSummary(ws: Workspace, lastOpenedAt: string): NightSummary {
    const labels = new LabelJournal(ws.dir).labels();
    const scores = ws.scores(ws.settings.activeModel);
    const threshold = ws.settings.threshold;
    let flagged = 0;
    if (scores && threshold !== null) for (const s of scores.values()) if (s >= threshold) flagged++;
    return {
      dir: ws.dir,
      name: ws.name,
      simulated: ws.settings.simulated,
      candidates: ws.size,
      scored: ws.scoredCount(ws.settings.activeModel),
      scoredBy: ws.settings.activeModel,
      threshold,
      flagged,
      labels: countLabels(labels),
      secondsSpent: labels.reduce((s, l) => s + l.secondsSpent, 0),
      lastOpenedAt,
    };
  }

  async homeInfo(): Promise<HomeInfo> {
    const nights: NightSummary[] = [];
    for (const n of this.home.nights()) {
      try {
        const ws = await this.night(n.dir);
        nights.push(this.nightSummary(ws, n.lastOpenedAt));
      } catch (e) {
        console.error(`[skysift] night ${n.dir} left out of the tally: ${(e as Error).message}`);
      }
    }
    const state = this.home.state;
    return {
      home: this.home.root,
      activeModel: state.activeModel,
      activeBySize: state.activeBySize,
      lastNight: this.home.lastNight(),
      nights,
      handPaceSeconds: state.settings.handPaceSeconds,
    };
  }

  async setHandPace(seconds: number | null): Promise<HomeInfo> {
    this.home.setHandPace(seconds);
    return this.homeInfo();
  }

  /** Labels into the open night's journal; resolves once they are fsynced. */
  async putLabels(args: CallArgs<'labelsPut'>): Promise<{ acknowledged: number }> {
    const ws = this.requireWorkspace();
    const labels = args.labels ?? [];
    const removed = args.removed ?? [];
    const stray = labels.find((l) => l.workspace !== ws.dir);
    if (stray)
      throw new Error(
        `A label for ${stray.candidateId} was given in ${stray.workspace}, but the open night is ${ws.dir}: it was not written here. Open that night to keep it.`,
      );
    const events: JournalEvent[] = [
      ...labels.map((label) => ({ op: 'set' as const, label })),
      ...removed.map((r) => ({ op: 'remove' as const, candidateId: r.candidateId, at: r.at })),
    ];
    await this.requireJournal().append(events);
    return { acknowledged: events.length };
  }

  listLabels(): CallResult<'labelsList'> {
    const ws = this.requireWorkspace();
    return { workspace: ws.dir, labels: this.requireJournal().labels() };
  }

  /** The night's labels: those that came with the data, overridden by the astronomer's (journal). */
  private nightLabels(): HumanLabel[] {
    const mine = new Map(
      this.requireJournal()
        .labels()
        .map((l) => [l.candidateId, l]),
    );
    const fromData = dataLabels(this.requireWorkspace()).filter((l) => !mine.has(l.candidateId));
    return [...fromData, ...mine.values()];
  }

  exportConfirmed(args: CallArgs<'exportConfirmed'>): Promise<CallResult<'exportConfirmed'>> {
    const labels = args.labels ?? this.nightLabels();
    return exportConfirmed(this.requireWorkspace(), { ...args, labels });
  }

  exportLabels(args: CallArgs<'labelsExport'>): Promise<CallResult<'labelsExport'>> {
    const labels = args.labels ?? this.requireJournal().labels();
    return exportLabelSet(this.requireWorkspace(), { ...args, labels });
  }

  importLabels(args: CallArgs<'labelsImport'>): Promise<CallResult<'labelsImport'>> {
    const existing = args.existing ?? this.requireJournal().labels();
    return importLabelSet(this.requireWorkspace(), { ...args, existing });
  }

  async startIngest(folder: string, resumeJobId?: string): Promise<string> {
    this.requireWorkspace();
    if (this.jobs.isBusy('ingest'))
      throw new Error('An ingest is already running in this workspace: wait for it or cancel it.');
    return this.jobs.start('ingest', { folder }, resumeJobId);
  }
}
