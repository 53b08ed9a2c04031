import type { AppInfo, SkysiftBridge } from '../../../../shared/contract';

export type HostKind = AppInfo['host'];

/**
 * The native folder chooser, or null where the host has none (the browser host answers
 * available: false, so there is no button that would do nothing).
 */
export function folderPicker(
  bridge: SkysiftBridge,
  host: HostKind | undefined,
): ((title: string) => Promise<string | null>) | null {
  if (host !== 'electron') return null;
  return async (title) => {
    const r = await bridge.invoke('pickFolder', { title });
    return r.available ? r.path : null;
  };
}
