/**
 * The services behind the contract: the open workspace, the job manager, the compute backend
 * that the last worker reported. One instance per app (Electron main or browser host or CLI).
 */
import type { AppInfo, BackendInfo, CandidateRow, WireTriplet } from '../shared/contract';
import { Workspace } from './catalog/workspace';
import { EventBus } from './events';
import { JobManager } from './jobs/jobManager';
import { stampToWire } from './util/base64';

export interface ServicesOptions {
  host: AppInfo['host'];
  version: string;
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
      onFinished: () => {
        if (this.workspace) this.events.emit('workspaceChanged', this.workspace.summary());
      },
    });
    this.events.subscribe((event, payload) => {
      if (event === 'backendChanged') this.backend = payload as BackendInfo;
    });
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
    return {
      workspace: ws.dir,
      model,
      rows: ws
        .list()
        .map((e) => ({
          id: e.id,
          source: e.source,
          meta: e.meta,
          given: e.given,
          score: scores?.get(e.id) ?? null,
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

  async startIngest(folder: string, resumeJobId?: string): Promise<string> {
    this.requireWorkspace();
    if (this.jobs.isBusy('ingest'))
      throw new Error('An ingest is already running in this workspace: wait for it or cancel it.');
    return this.jobs.start('ingest', { folder }, resumeJobId);
  }
}
