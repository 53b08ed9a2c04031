import { useState, type FormEvent } from 'react';
import type { SkysiftBridge, WorkspaceSummary } from '../../../../shared/contract';
import { FolderField } from '../export/FolderField';

/** Open or create a workspace, then ingest a folder of stamps into it. */
export function OpenNight(props: {
  bridge: SkysiftBridge;
  workspace: WorkspaceSummary | null;
  onError: (msg: string | null) => void;
  onOpened: () => void;
  /** The native folder chooser where the host has one (Electron); null in the browser. */
  pick?: ((title: string) => Promise<string | null>) | null;
  /** An ingest is running: a second one would be refused. */
  ingesting?: boolean;
}) {
  const { bridge, workspace, onError, onOpened, pick = null, ingesting = false } = props;
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
        <FolderField
          label="Workspace folder"
          value={wsDir}
          onChange={setWsDir}
          pick={pick}
          placeholder="/data/nights/2026-11-25"
        />
        <button type="submit" disabled={!wsDir}>
          Open or create
        </button>
      </form>
      <form onSubmit={ingest} aria-label="ingest stamps">
        <FolderField
          label="Stamps to ingest (DES autoscan folder, triplet manifest CSV, or folder of .avro alerts)"
          value={folder}
          onChange={setFolder}
          pick={pick}
          placeholder="/data/stamps/night"
        />
        <button type="submit" disabled={!folder || !workspace || ingesting}>
          Ingest
        </button>
      </form>
    </div>
  );
}
