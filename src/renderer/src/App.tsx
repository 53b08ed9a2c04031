import { useCallback, useDeferredValue, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { AppInfo, JobProgress, SkysiftBridge } from '../../shared/contract';
import type { TransportKind } from './transport/bridge';
import { useBridgeEvent } from './useBridgeEvent';
import { StatusBar } from './desk/StatusBar';
import { OpenNight } from './desk/OpenNight';
import { DeskStore } from './desk/deskStore';
import { registerDeskActions } from './desk/actions/deskActions';
import { LabelStore } from './desk/labels/labelStore';
import { Desk, useDeskKeys } from './desk/Desk';
import { computeTally } from './desk/tally/tally';
import { TallyStatus } from './desk/tally/TallyStatus';

export function App({ bridge, transport }: { bridge: SkysiftBridge; transport: TransportKind }) {
  const desk = useMemo(() => {
    const d = new DeskStore(bridge, new LabelStore());
    registerDeskActions(d);
    return d;
  }, [bridge]);
  const s = useSyncExternalStore(desk.subscribe, desk.getSnapshot);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [job, setJob] = useState<JobProgress | null>(null);

  const reload = useCallback(async () => {
    try {
      setInfo(await bridge.invoke('appInfo', {}));
    } catch (e) {
      desk.setPanels({ error: (e as Error).message });
    }
    await desk.load();
  }, [bridge, desk]);

  useEffect(() => {
    void reload();
  }, [reload]);
  useDeskKeys(desk);

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

  // Deferred: the tally (a median over every label) is redrawn after the next stamps, never before.
  const labelsVersion = useDeferredValue(s.labelsVersion);
  const counts = useDeferredValue(s.counts);
  const tally = useMemo(
    () => computeTally(counts.total, s.threshold === null ? null : counts.flagged, desk.labelRecords()),
    // labelsVersion: the label map changed in place.
    // (listed so the memo recomputes when it does)
    [counts, s.threshold, labelsVersion, desk],
  );
  const workspace = s.workspace;

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Skysift</span>
        <span className="ws-name">{workspace ? workspace.name : 'no workspace open'}</span>
        {workspace?.simulated && <span className="badge">simulated data</span>}
        <span className="spacer" />
        <button
          type="button"
          onClick={() => desk.setPanels({ statsOpen: !s.statsOpen })}
          aria-pressed={s.statsOpen}
          title="G"
        >
          Stats <kbd>G</kbd>
        </button>
        <button
          type="button"
          onClick={() => desk.setTheme(s.theme === 'dark' ? 'light' : 'dark')}
          title="T"
          data-testid="theme-toggle"
        >
          {s.theme === 'dark' ? 'Light' : 'Dark'} theme <kbd>T</kbd>
        </button>
        <button type="button" onClick={() => desk.setPanels({ helpOpen: !s.helpOpen })} title="?">
          Keys <kbd>?</kbd>
        </button>
      </header>
      {s.error && (
        <div className="error-banner" role="alert">
          {s.error} <span className="muted">(Esc to dismiss)</span>
        </div>
      )}
      <Desk desk={desk} s={s} tally={tally} />
      {(!workspace || s.rows.length === 0) && (
        <OpenNight
          bridge={bridge}
          workspace={workspace}
          onError={(error) => desk.setPanels({ error })}
          onOpened={reload}
        />
      )}
      <StatusBar info={info} transport={transport} workspace={workspace} job={job}>
        <span data-testid="status-saved" data-count={s.acknowledged}>
          {s.saving ? 'saving label...' : `labels on disk: ${s.counts.labelled}`}
        </span>
        <TallyStatus tally={tally} />
      </StatusBar>
    </div>
  );
}
