/**
 * createApi(services): the ONE implementation of the contract, and the one map from each call to
 * the resource that owns it (src/main/services/*). Electron's ipcMain (src/main/index.ts) and the
 * browser host's WebSocket (src/host) both call `handle`, so both transports validate and behave
 * the same; the CLI calls it in its own process through createApp.
 */
import {
  calls,
  ContractError,
  isCallName,
  parseArgs,
  parseEvent,
  type CallArgs,
  type CallName,
  type CallResult,
  type EventName,
  type EventPayload,
} from '../shared/contract';
import { Services, type ServicesOptions } from './services';
import { openStartupWorkspace } from './startup';
export { VERSION } from './version';

type Handlers = { [N in CallName]: (args: CallArgs<N>) => Promise<CallResult<N>> };

export interface Api {
  /** Validate the arguments, run the call, validate the result. Throws ContractError on bad input. */
  handle(call: unknown, args: unknown): Promise<unknown>;
  /** Subscribe to contract events (validated before they leave main). */
  onEvent(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
}

export function createApi(services: Services): Api {
  const { state, nights, candidates, labels, models, jobs } = services;
  const handlers: Handlers = {
    appInfo: async () => state.appInfo(),
    pickFolder: async ({ title }) => state.pickFolder(title ?? 'Choose a folder'),
    workspaceCurrent: async () => nights.current(),
    workspaceOpen: async ({ dir, create }) => state.summary(await nights.open(dir, create ?? false)),
    homeInfo: async () => nights.homeInfo(),
    homeSetHandPace: async ({ seconds }) => nights.setHandPace(seconds),
    candidatesList: async () => candidates.list(),
    candidatesStamps: async ({ ids }) => candidates.stamps(ids),
    candidatesScores: async ({ version }) => candidates.scores(version),
    candidateContext: async ({ id }) => candidates.context(id),
    labelsPut: async (args) => labels.put(args),
    labelsList: async () => labels.list(),
    labelsExport: async (args) => labels.exportSet(args),
    labelsImport: async (args) => labels.importSet(args),
    modelsList: async () => models.list(),
    modelImport: async ({ folder, version }) => models.import(folder, version),
    modelCompare: async (args) => models.compare(args),
    modelAdopt: async ({ version }) => models.adopt(version),
    ingestStart: async ({ folder, resumeJobId }) => ({ jobId: await jobs.startIngest(folder, resumeJobId) }),
    trainStart: async (args) => ({ jobId: await jobs.startTrain(args) }),
    scoreStart: async ({ version, adopt, ...engine }) => ({
      jobId: await jobs.startScore(version, adopt ?? true, engine),
    }),
    jobCancel: async ({ jobId }) => ({ ok: jobs.cancel(jobId) }),
    jobsList: async () => jobs.list(),
    exportConfirmed: async (args) => services.export.confirmed(args),
  };

  return {
    async handle(call, rawArgs) {
      if (!isCallName(call)) {
        throw new ContractError(
          String(call),
          `unknown call; known calls are ${Object.keys(calls).join(', ')}`,
        );
      }
      const args = parseArgs(call, rawArgs);
      const result = await (handlers[call] as (a: unknown) => Promise<unknown>)(args);
      const checked = calls[call].result.safeParse(result);
      if (!checked.success) throw new ContractError(`${call} (result)`, checked.error.message);
      return checked.data;
    },
    onEvent(listener) {
      return services.state.events.subscribe((event, payload) => listener(event, parseEvent(event, payload)));
    },
  };
}

/** What a host or the CLI holds: the API over a fresh set of services, and the app's life around it. */
export interface App {
  api: Api;
  /** The night to show at start: the one asked for, else the last one, else the demo night (first run). */
  openStartupNight(requested: string | undefined, log: (line: string) => void): Promise<void>;
  /** Stop every compute worker (quit). Their records read as interrupted on the next open. */
  stop(): void;
}

/** The one way into main for the browser host and the CLI (Electron's main builds the same). */
export function createApp(opts: ServicesOptions): App {
  const services = new Services(opts);
  return {
    api: createApi(services),
    openStartupNight: async (requested, log) => {
      await openStartupWorkspace(services, requested, log);
    },
    stop: () => services.jobs.killAll(),
  };
}
