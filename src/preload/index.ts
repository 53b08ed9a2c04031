/**
 * The bridge: exposes the contract as `window.skysift` (invoke + events), nothing else of Node or
 * Electron. Runs sandboxed, so it is bundled as CommonJS with only 'electron' external.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  CallArgs,
  CallName,
  CallResult,
  EventName,
  EventPayload,
  SkysiftBridge,
} from '../shared/contract';

const bridge: SkysiftBridge = {
  async invoke<N extends CallName>(call: N, args: CallArgs<N>): Promise<CallResult<N>> {
    const reply = (await ipcRenderer.invoke('skysift:invoke', call, args)) as
      { ok: true; result: CallResult<N> } | { ok: false; error: string };
    if (!reply.ok) throw new Error(reply.error);
    return reply.result;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as EventPayload<E>);
    };
    ipcRenderer.on('skysift:event', handler);
    return () => ipcRenderer.removeListener('skysift:event', handler);
  },
};

contextBridge.exposeInMainWorld('skysift', bridge);
