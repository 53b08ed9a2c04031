import { useCallback, useEffect, useState } from 'react';
import type {
  AppInfo,
  CandidateRow,
  JobProgress,
  SkysiftBridge,
  WorkspaceSummary,
} from '../../shared/contract';
import type { TransportKind } from './transport/bridge';
import { useBridgeEvent } from './useBridgeEvent';
import { QueueColumn } from './desk/QueueColumn';
import { StampPanels } from './desk/StampPanels';
import { StatusBar } from './desk/StatusBar';
import { OpenNight } from './desk/OpenNight';

export function App({ bridge, transport }: { bridge: SkysiftBridge; transport: TransportKind }) {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [workspace, setWorkspace] = useState<WorkspaceSummary | null>(null);
  const [rows, setRows] = useState<CandidateRow[]>([]);
  const [job, setJob] = useState<JobProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      setInfo(await bridge.invoke('appInfo', {}));
      const ws = await bridge.invoke('workspaceCurrent', {});
      setWorkspace(ws);
      if (ws) setRows((await bridge.invoke('candidatesList', {})).rows);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [bridge]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useBridgeEvent(bridge, 'jobProgress', setJob);
  useBridgeEvent(
    bridge,
    'jobFinished',
    useCallback(() => {
      setJob(null);
      void reload();
    }, [reload]),
  );
  useBridgeEvent(
    bridge,
    'workspaceChanged',
    useCallback(() => void reload(), [reload]),
  );
  useBridgeEvent(
    bridge,
    'backendChanged',
    useCallback((backend) => setInfo((i) => (i ? { ...i, backend } : i)), []),
  );

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Skysift</span>
        <span className="ws-name">{workspace ? workspace.name : 'no workspace open'}</span>
        {workspace?.simulated && <span className="badge">simulated data</span>}
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      <main className="desk">
        <QueueColumn rows={rows} selected={selected} onSelect={setSelected} workspace={workspace} />
        <section className="viewer">
          <StampPanels bridge={bridge} candidateId={selected} />
          <OpenNight bridge={bridge} workspace={workspace} onError={setError} onOpened={reload} />
        </section>
      </main>
      <StatusBar info={info} transport={transport} workspace={workspace} job={job} />
    </div>
  );
}
