/**
 * The nights resource: opening a night (it becomes the open one, settled and scored first), the
 * home's tally of every night, and the home's settings the desk writes (the by-hand pace).
 */
import type { HomeInfo, NightSummary, WorkspaceSummary } from '../../shared/contract';
import { Workspace } from '../catalog/workspace';
import { countLabels, LabelJournal } from '../catalog/labelJournal';
import type { JobsService } from './jobs';
import type { ModelsService } from './models';
import type { AppState } from './state';

export class NightsService {
  constructor(
    private readonly state: AppState,
    private readonly jobs: JobsService,
    private readonly models: ModelsService,
  ) {}

  current(): WorkspaceSummary | null {
    return this.state.currentWorkspace() ? this.state.summary() : null;
  }

  async open(
    dir: string,
    create: boolean,
    extra: { simulated?: boolean; name?: string } = {},
  ): Promise<Workspace> {
    const ws = await Workspace.open(dir, { create, ...extra });
    await this.models.ensureDefault();
    await this.models.moveLegacy(ws);
    // Everything about the night is settled before it becomes the open one (calls may come at once).
    this.jobs.reconcile(ws);
    const size = await ws.stampSize();
    this.state.home.opened(ws.dir);
    this.state.setOpen(ws, size);
    this.state.emitChanged(ws);
    await this.jobs.ensureScored();
    return ws;
  }

  private summaryOf(ws: Workspace, lastOpenedAt: string): NightSummary {
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
    const home = this.state.home;
    const nights: NightSummary[] = [];
    for (const n of home.nights()) {
      try {
        const ws = await this.state.night(n.dir);
        nights.push(this.summaryOf(ws, n.lastOpenedAt));
      } catch (e) {
        console.error(`[skysift] night ${n.dir} left out of the tally: ${(e as Error).message}`);
      }
    }
    const state = home.state;
    return {
      home: home.root,
      activeModel: state.activeModel,
      activeBySize: state.activeBySize,
      lastNight: home.lastNight(),
      nights,
      handPaceSeconds: state.settings.handPaceSeconds,
    };
  }

  async setHandPace(seconds: number | null): Promise<HomeInfo> {
    this.state.home.setHandPace(seconds);
    return this.homeInfo();
  }
}
