/**
 * What every resource of the contract shares in one app (Electron main, browser host or CLI): the
 * home (model library, nights, settings), the open night and its label journal, the event bus, the
 * compute backend the last worker reported, and the home's other nights kept open between calls.
 * The resources (nights, candidates, labels, models, jobs, export) each own their calls and read
 * or change this state; none keeps a copy of it.
 */
import type { AppInfo, BackendInfo, WorkspaceSummary } from '../../shared/contract';
import { Workspace } from '../catalog/workspace';
import { LabelJournal } from '../catalog/labelJournal';
import { resamplesNight } from '../catalog/seeingFile';
import { EventBus } from '../events';
import { Home, libraryRoot, skysiftHome } from '../home/home';
import { ModelLibrary, type ModelMeta } from '../library/modelLibrary';

export interface ServicesOptions {
  host: AppInfo['host'];
  version: string;
  /** The home folder (default: SKYSIFT_HOME or ~/.skysift). */
  home?: string;
  /** The host's native folder chooser, where it has one (Electron's dialog). */
  chooseFolder?: (title: string) => Promise<string | null>;
}

/** A model with a fixed native input (e.g. braai's 63x63) is active for stamps of that size only. */
export function nativeSize(meta: ModelMeta): string | null {
  return meta.kind === 'imported' ? `${meta.spec.inputSize[0]}x${meta.spec.inputSize[1]}` : null;
}

export class AppState {
  readonly events = new EventBus();
  readonly home: Home;
  /** The home's model library, read as JSON: the engine that loads weights runs in workers only. */
  readonly library: ModelLibrary;
  private open: { ws: Workspace; journal: LabelJournal; size: string | null } | null = null;
  private backend: BackendInfo = {
    name: null,
    reason: 'No compute worker has run yet: it starts with the first ingest, training or scoring job.',
  };
  /**
   * Nights of the home other than the open one, kept open between calls (the tally, the light
   * curves and retraining all ask for them): a refresh reads only the catalog parts added since.
   */
  private openNights = new Map<string, Workspace>();

  constructor(readonly opts: ServicesOptions) {
    this.home = Home.open(opts.home ?? skysiftHome());
    // Compute workers inherit the environment: they must find the same home and library.
    process.env.SKYSIFT_HOME = this.home.root;
    this.library = new ModelLibrary(libraryRoot(this.home.root));
    this.events.subscribe((event, payload) => {
      if (event === 'backendChanged') this.backend = payload as BackendInfo;
    });
  }

  appInfo(): AppInfo {
    return {
      version: this.opts.version,
      host: this.opts.host,
      backend: this.backend,
      workspace: this.open?.ws.dir ?? null,
    };
  }

  async pickFolder(title: string): Promise<{ available: boolean; path: string | null }> {
    if (!this.opts.chooseFolder) return { available: false, path: null };
    return { available: true, path: await this.opts.chooseFolder(title) };
  }

  currentWorkspace(): Workspace | null {
    return this.open?.ws ?? null;
  }

  requireWorkspace(): Workspace {
    if (!this.open) throw new Error('No workspace is open: open a night (a folder of stamps) first.');
    return this.open.ws;
  }

  requireJournal(): LabelJournal {
    this.requireWorkspace();
    return this.open!.journal;
  }

  /** Make `ws` the open night (its stamp size decides which of the home's models scores it). */
  setOpen(ws: Workspace, size: string | null): void {
    this.open = { ws, journal: new LabelJournal(ws.dir), size };
  }

  /** The open night's stamp size changed (an ingest added its first candidates). */
  setOpenSize(size: string | null): void {
    if (this.open) this.open.size = size;
  }

  /** The version that scores this night on open: the home's active model for its stamp size. */
  homeModel(): string | null {
    return this.home.activeFor(this.open?.size ?? null);
  }

  summary(ws: Workspace = this.requireWorkspace()): WorkspaceSummary {
    const s = ws.summary(ws === this.open?.ws ? this.homeModel() : this.home.activeFor(null));
    // The resampling the version that scored the night applies: an imported model (braai) takes
    // the stamps as they come, whatever the night's seeing.
    if (
      s.seeing &&
      (s.seeing.zoom !== 1 || s.seeing.templateBlur) &&
      s.activeModel &&
      !this.resamples(s.activeModel)
    )
      return { ...s, seeing: { fwhmPx: s.seeing.fwhmPx, zoom: 1 } };
    return s;
  }

  /** Whether a version sees the night at its record's resampling (seeingFile.ts resamplesNight). */
  private resamples(version: string): boolean {
    try {
      return resamplesNight(this.library.meta(version).spec.preprocessing);
    } catch {
      // A version gone from the library: say what the night's record says.
      return true;
    }
  }

  /** Tell the desk the open night changed (summary, active model, counts). */
  emitChanged(ws: Workspace = this.requireWorkspace()): void {
    this.events.emit('workspaceChanged', this.summary(ws));
  }

  /** A night of the home: the open one, or one kept open since the last call (refreshed). */
  async night(dir: string): Promise<Workspace> {
    if (dir === this.open?.ws.dir) return this.open.ws;
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
}
