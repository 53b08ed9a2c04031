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
import type { Services } from './services';
import { compareModels } from './model/compare';
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
    workspaceCurrent: async () => services.currentWorkspace()?.summary() ?? null,
    workspaceOpen: async ({ dir, create }) => (await services.openWorkspace(dir, create ?? false)).summary(),
    candidatesList: async () => services.candidateList(),
    candidatesStamps: async ({ ids }) => services.stamps(ids),
    ingestStart: async ({ folder, resumeJobId }) => ({
      jobId: await services.startIngest(folder, resumeJobId),
    }),
    jobCancel: async ({ jobId }) => ({ ok: services.jobs.cancel(jobId) }),
    jobsList: async () => services.jobs.list(),
    trainStart: async (args) => ({ jobId: await services.startTrain(args) }),
    scoreStart: async ({ version, adopt }) => ({ jobId: await services.startScore(version, adopt ?? true) }),
    modelsList: async () => services.models(),
    exportConfirmed: async (args) => services.exportConfirmed(args),
    labelsExport: async (args) => services.exportLabels(args),
    labelsImport: async (args) => services.importLabels(args),
    modelCompare: async ({ candidate, against, confirmedReals }) =>
      compareModels(services.requireWorkspace(), candidate, against, confirmedReals ?? []),
    modelAdopt: async ({ version }) => services.adopt(version),
    pickFolder: async ({ title }) => services.pickFolder(title ?? 'Choose a folder'),
    // Other nights of the home: [] until the home lists them.
    candidateContext: async ({ id }) => candidateContext(services.requireWorkspace(), [], id),
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
