/**
 * The models resource: the home's library as the desk sees it (what each version learned from,
 * its figures, which one is active here and for the home), importing a folder, comparing two
 * versions on held-out labels and adopting one. All of it from the versions' meta.json and the
 * night's stored scores: loading weights is a worker's job (scoring, training).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CallArgs, ModelSummary } from '../../shared/contract';
import type { Workspace } from '../catalog/workspace';
import { workspaceLayout } from '../catalog/layout';
import { compareModels } from '../library/compare';
import { importModelFolder } from '../library/importModel';
import { shippedModelDir } from '../util/resources';
import type { JobsService } from './jobs';
import { nativeSize, type AppState } from './state';

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

export class ModelsService {
  constructor(
    private readonly state: AppState,
    private readonly jobs: JobsService,
  ) {}

  /** The shipped default in the library, active where the home has none yet (first start). */
  async ensureDefault(): Promise<string> {
    const meta = await this.state.library.adoptFolder(shippedModelDir());
    this.state.home.ensureActive(meta.version);
    return meta.version;
  }

  /** Versions trained before models lived in the home sit in the night's models/: put them in the library. */
  async moveLegacy(ws: Workspace): Promise<void> {
    const legacy = workspaceLayout(ws.dir).legacyModels;
    if (!existsSync(legacy)) return;
    for (const name of readdirSync(legacy)) {
      const folder = path.join(legacy, name);
      if (name.includes('.tmp-') || !existsSync(path.join(folder, 'meta.json'))) continue;
      try {
        await this.state.library.adoptFolder(folder);
      } catch (e) {
        console.error(`[skysift] ${folder}: not moved into the model library (${(e as Error).message})`);
      }
    }
  }

  list(): ModelSummary[] {
    const ws = this.state.currentWorkspace();
    const shipped = shippedVersion();
    const active = this.state.homeModel();
    return this.state.library.list().map((m) => ({
      version: m.version,
      createdAt: m.createdAt,
      kind: m.kind,
      architecture: m.spec.id,
      parent: m.parent,
      backend: m.backend,
      trainer: typeof m.hyperparameters.trainer === 'string' ? m.hyperparameters.trainer : null,
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

  async import(folder: string, version?: string): Promise<ModelSummary> {
    const meta = await importModelFolder(this.state.library, folder, version);
    const size = nativeSize(meta);
    if (size) this.state.home.setActive(meta.version, size);
    if (this.state.currentWorkspace()) this.state.emitChanged();
    return this.list().find((m) => m.version === meta.version)!;
  }

  compare({ candidate, against, confirmedReals }: CallArgs<'modelCompare'>) {
    return compareModels(
      this.state.requireWorkspace(),
      candidate,
      against,
      confirmedReals ?? [],
      this.state.library,
    );
  }

  /**
   * Adopt (or roll back to) a version: it becomes the home's active model (the next night is
   * scored by it on open) and this night shows it: at once when its scores exist, else after a
   * scoring job. The queue reorders when workspaceChanged arrives.
   */
  async adopt(version: string): Promise<{ jobId: string | null; activeModel: string | null }> {
    const ws = this.state.requireWorkspace();
    const library = this.state.library;
    if (!library.has(version)) throw new Error(`No model version ${version} in the home's library.`);
    const meta = library.meta(version);
    if (ws.scoredCount(version) === ws.size) {
      this.state.home.setActive(version, nativeSize(meta));
      await ws.update({ activeModel: version, threshold: meta.threshold });
      this.state.emitChanged(ws);
      return { jobId: null, activeModel: version };
    }
    return { jobId: await this.jobs.startScore(version, true), activeModel: ws.settings.activeModel };
  }
}
