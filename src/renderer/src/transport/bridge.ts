import type { SkysiftBridge } from '../../../shared/contract';
import { connectWs, tokenFromLocation } from './wsClient';

declare global {
  interface Window {
    skysift?: SkysiftBridge;
  }
}

export type TransportKind = 'electron-ipc' | 'websocket';

/** Electron's preload bridge when present, else the browser host's WebSocket. */
export function getBridge(): { bridge: SkysiftBridge; transport: TransportKind } {
  if (window.skysift) return { bridge: window.skysift, transport: 'electron-ipc' };
  const token = tokenFromLocation(window.location);
  if (!token) {
    throw new Error('No Skysift host: open the URL the host printed (it carries the access token).');
  }
  return { bridge: connectWs(`ws://${window.location.host}/ws`, token), transport: 'websocket' };
}
