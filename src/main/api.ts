/**
 * createApi(services): the ONE implementation of the contract. Electron's ipcMain (src/main/index.ts)
 * and the browser host's WebSocket (src/host) both call `handle`, so both transports validate
 * and behave the same.
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
import { compareModels } from './library/compare';
import { candidateContext } from './catalog/objectHistory';

type Handlers = { [N in CallName]: (args: CallArgs<N>) => Promise<CallResult<N>> };

export interface Api {
  /** Validate the arguments, run the call, validate the result. Throws ContractError on bad input. */
  handle(call: unknown, args: unknown): Promise<unknown>;
  /** Subscribe to contract events (validated before they leave main). */
  onEvent(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
}

export function createApi(services: Services): Api {
  const handlers: Handlers = {
    appInfo: async () => services.appInfo(),
    workspaceCurrent: async () => (services.currentWorkspace() ? services.summary() : null),
    workspaceOpen: async ({ dir, create }) =>
      services.summary(await services.openWorkspace(dir, create ?? false)),
    candidatesList: async () => services.candidateList(),
    candidatesStamps: async ({ ids }) => services.stamps(ids),
    ingestStart: async ({ folder, resumeJobId }) => ({
      jobId: await services.startIngest(folder, resumeJobId),
    }),
    jobCancel: async ({ jobId }) => ({ ok: services.jobs.cancel(jobId) }),
    jobsList: async () => services.jobs.list(),
    trainStart: async (args) => ({ jobId: await services.startTrain(args) }),
    scoreStart: async ({ version, adopt, ...engine }) => ({
      jobId: await services.startScore(version, adopt ?? true, engine),
    }),
    modelsList: async () => services.models(),
    modelImport: async ({ folder, version }) => services.importModel(folder, version),
    homeInfo: async () => services.homeInfo(),
    homeSetHandPace: async ({ seconds }) => services.setHandPace(seconds),
    labelsPut: async (args) => services.putLabels(args),
    labelsList: async () => services.listLabels(),
    candidatesScores: async ({ version }) => services.candidateScores(version),
    exportConfirmed: async (args) => services.exportConfirmed(args),
    labelsExport: async (args) => services.exportLabels(args),
    labelsImport: async (args) => services.importLabels(args),
    modelCompare: async ({ candidate, against, confirmedReals }) =>
      compareModels(services.requireWorkspace(), candidate, against, confirmedReals ?? []),
    modelAdopt: async ({ version }) => services.adopt(version),
    pickFolder: async ({ title }) => services.pickFolder(title ?? 'Choose a folder'),
    candidateContext: async ({ id }) =>
      candidateContext(services.requireWorkspace(), await services.otherNights(), id),
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
      return services.events.subscribe((event, payload) => listener(event, parseEvent(event, payload)));
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
