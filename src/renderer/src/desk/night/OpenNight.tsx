import { useState, type FormEvent } from 'react';
import type { SkysiftBridge, WorkspaceSummary } from '../../../shared/contract';

/** Open or create a workspace, then ingest a folder of stamps into it. */
export function OpenNight(props: {
  bridge: SkysiftBridge;
  workspace: WorkspaceSummary | null;
  onError: (msg: string | null) => void;
  onOpened: () => void;
}) {
  const { bridge, workspace, onError, onOpened } = props;
  const [wsDir, setWsDir] = useState('');
  const [folder, setFolder] = useState('');

  const openWs = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onError(null);
      await bridge.invoke('workspaceOpen', { dir: wsDir, create: true });
      onOpened();
    } catch (err) {
      onError((err as Error).message);
    }
  };
  const ingest = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onError(null);
      await bridge.invoke('ingestStart', { folder });
    } catch (err) {
      onError((err as Error).message);
    }
  };

  return (
    <div className="open-night">
      <form onSubmit={openWs} aria-label="open workspace">
        <label>
          Workspace folder
          <input
            value={wsDir}
            onChange={(e) => setWsDir(e.target.value)}
            placeholder="/data/nights/2026-11-25"
          />
        </label>
        <button type="submit" disabled={!wsDir}>
          Open or create
        </button>
      </form>
      <form onSubmit={ingest} aria-label="ingest stamps">
        <label>
          Stamps to ingest (DES autoscan folder, triplet manifest CSV, or folder of .avro alerts)
          <input
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="/data/stamps/night"
          />
        </label>
        <button type="submit" disabled={!folder || !workspace}>
          Ingest
        </button>
      </form>
    </div>
  );
}
