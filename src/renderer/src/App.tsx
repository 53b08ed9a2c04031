import {
  type ReactNode,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import type { AppInfo, JobProgress, SkysiftBridge } from '../../shared/contract';
import type { TransportKind } from './transport/bridge';
import { useBridgeEvent } from './useBridgeEvent';
import { StatusBar } from './desk/StatusBar';
import { OpenNight } from './desk/night/OpenNight';
import { DeskStore } from './desk/deskStore';
import { useDesk } from './desk/useDesk';
import { TopBar } from './desk/TopBar';
import { ActionKeys } from './desk/actions/actionKeys';
import { activeModel, activeThreshold } from './desk/queue/queueStore';
import type { SidePanel } from './desk/panels/panelsStore';
import { registerDeskActions } from './desk/actions/deskActions';
import { LabelStore } from './desk/labels/labelStore';
import { Desk, useDeskKeys } from './desk/Desk';
import { computeTally, loadSetPace, nightCounts, subscribeSetPace } from './desk/tally/tally';
import { TallyStatus } from './desk/tally/TallyStatus';
import { ModelStore } from './desk/model/modelStore';
import { ModelPanel } from './desk/model/ModelPanel';
import { ExportPanel } from './desk/export/ExportPanel';
import { folderPicker } from './desk/export/folderPicker';
import { NightPanel } from './desk/night/NightPanel';
import { useIngestJob } from './desk/night/useIngestJob';
import { confirmedRealIds, fromHumanLabel, toHumanLabel, trainingClass } from './desk/labels/humanLabels';
import type { HumanLabel } from '../../shared/labels';
import { SyncStatus } from './desk/labels/SyncStatus';
import { HomeStore } from './desk/night/homeStore';
import { seasonTally } from './desk/tally/season';
import { SeasonTallyView } from './desk/tally/SeasonTally';

export function App({ bridge, transport }: { bridge: SkysiftBridge; transport: TransportKind }) {
  const desk = useMemo(() => {
    const d = new DeskStore(bridge, new LabelStore());
    registerDeskActions(d);
    return d;
  }, [bridge]);
  const s = useDesk(desk);
  const { queue, panels } = s;
  const threshold = activeThreshold(queue);
  const models = useMemo(
    () =>
      new ModelStore({
        bridge,
        confirmedReals: async () => confirmedRealIds(await desk.storedLabels()),
        activeModel: () => activeModel(desk.queue.getSnapshot()),
      }),
    [bridge, desk],
  );
  useEffect(() => models.connect(), [models]);
  const homeStore = useMemo(() => new HomeStore(bridge), [bridge]);
  useEffect(() => homeStore.connect(), [homeStore]);
  const home = useSyncExternalStore(homeStore.subscribe, homeStore.getSnapshot);
  const modelSnap = useSyncExternalStore(models.subscribe, models.getSnapshot);
  const ingest = useIngestJob(bridge);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [job, setJob] = useState<JobProgress | null>(null);

  const reload = useCallback(async () => {
    try {
      setInfo(await bridge.invoke('appInfo', {}));
    } catch (e) {
      desk.panels.set({ error: (e as Error).message });
    }
    await desk.load();
    await Promise.all([models.refresh(), homeStore.refresh()]);
  }, [bridge, desk, models, homeStore]);

  useEffect(() => {
    void reload();
  }, [reload]);
  useDeskKeys(desk);
  // Back online, or back to the window: send what main has not acknowledged now, not after the
  // pause the last failure asked for (the host may have come back meanwhile).
  useEffect(() => {
    const now = () => void desk.outbox.flushNow();
    window.addEventListener('online', now);
    window.addEventListener('focus', now);
    return () => {
      window.removeEventListener('online', now);
      window.removeEventListener('focus', now);
    };
  }, [desk]);

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
  const labelsVersion = useDeferredValue(s.labels.version);
  const counts = useDeferredValue(queue.counts);
  // The by-hand pace the astronomer set is the home's (main keeps it, every browser sees it); the
  // Stats panel's field writes the local copy, and each change goes to main.
  const localPace = useSyncExternalStore(subscribeSetPace, loadSetPace);
  const homePace = home.info?.handPaceSeconds;
  const setPace = homePace !== undefined && homePace !== null ? homePace : localPace;
  useEffect(
    () =>
      subscribeSetPace(() => {
        void bridge
          .invoke('homeSetHandPace', { seconds: loadSetPace() })
          .then(() => homeStore.refresh())
          .catch(() => {}); // the local copy stands; the next change sends it again
      }),
    [bridge, homeStore],
  );
  const tally = useMemo(
    () =>
      computeTally(
        nightCounts(counts.total, threshold === null ? null : counts.flagged, desk.labels.all()),
        setPace,
      ),
    // labelsVersion: the label map changed in place.
    // (listed so the memo recomputes when it does)
    [counts, threshold, labelsVersion, desk, setPace],
  );
  const workspace = queue.workspace;
  const pick = useMemo(() => folderPicker(bridge, info?.host), [bridge, info?.host]);
  // labelsVersion: the label map changed in place.
  const labelCounts = useMemo(() => countLabels(desk), [desk, labelsVersion]);
  const humanLabels = useCallback(
    async (): Promise<HumanLabel[]> => (await desk.storedLabels()).map((r) => toHumanLabel(r)),
    [desk],
  );
  const importLabels = useCallback(
    async (labels: HumanLabel[]) => {
      const dir = desk.queue.getSnapshot().workspace?.dir;
      if (dir) await desk.importLabels(labels.map((l) => fromHumanLabel(l, dir)));
    },
    [desk],
  );
  // The season: the home's nights, with the open night's labels as the desk has them now.
  const season = useMemo(() => {
    if (!home.info) return null;
    const records = desk.labels.all();
    return seasonTally(
      home.info.nights,
      setPace,
      workspace?.dir ?? null,
      workspace
        ? {
            dir: workspace.dir,
            candidates: counts.total,
            flagged: threshold === null || workspace.scored === 0 ? null : counts.flagged,
            labelled: records.length,
            secondsSpent: records.reduce((sum, r) => sum + r.secondsSpent, 0),
          }
        : undefined,
    );
    // labelsVersion: the label map changed in place.
  }, [home.info, setPace, workspace, counts, threshold, desk, labelsVersion]);
  const homeCounts = useMemo(() => {
    if (!home.info) return null;
    const n = { real: 0, bogus: 0, skip: 0, nights: home.info.nights.length };
    for (const night of home.info.nights) {
      // The open night's labels as the desk has them (some may still be on their way to main).
      const c = night.dir === workspace?.dir ? labelCounts : night.labels;
      n.real += c.real;
      n.bogus += c.bogus;
      n.skip += c.skip;
    }
    return n;
  }, [home.info, workspace?.dir, labelCounts]);
  const closeSide = () => desk.panels.set({ sidePanel: null });
  const side = sidePanel(panels.sidePanel, {
    model: () => (
      <ModelPanel
        store={models}
        labelCounts={labelCounts}
        homeCounts={homeCounts}
        workspace={workspace}
        onClose={closeSide}
      />
    ),
    export: () => (
      <ExportPanel
        bridge={bridge}
        labels={humanLabels}
        onImport={importLabels}
        pick={pick}
        onClose={closeSide}
      />
    ),
    night: () => (
      <NightPanel
        bridge={bridge}
        workspace={workspace}
        home={home.info}
        scoring={modelSnap.scoring}
        pick={pick}
        ingest={ingest}
        onError={(error) => desk.panels.set({ error })}
        onOpened={reload}
        onClose={closeSide}
      />
    ),
  });

  return (
    <ActionKeys.Provider value={desk.actions}>
      <div className="app">
        <TopBar desk={desk} workspace={workspace} panels={panels} theme={s.view.theme} />
        {panels.error && (
          <div className="error-banner" role="alert">
            {panels.error} <span className="muted">(Esc to dismiss)</span>
          </div>
        )}
        <Desk desk={desk} s={s} tally={tally} side={side} season={<SeasonTallyView season={season} />} />
        {(!workspace || queue.rows.length === 0) && panels.sidePanel !== 'night' && (
          <OpenNight
            bridge={bridge}
            workspace={workspace}
            onError={(error) => desk.panels.set({ error })}
            onOpened={reload}
            pick={pick}
            ingesting={ingest.running !== null}
          />
        )}
        <StatusBar info={info} transport={transport} workspace={workspace} job={job}>
          <span data-testid="status-saved" data-count={s.labels.acknowledged}>
            {s.labels.saving ? 'saving label...' : `labels on disk: ${queue.counts.labelled}`}
          </span>
          <SyncStatus outbox={desk.outbox} />
          <TallyStatus tally={tally} />
        </StatusBar>
      </div>
    </ActionKeys.Provider>
  );
}

function sidePanel(open: SidePanel | null, render: Record<SidePanel, () => ReactNode>) {
  return open ? render[open]() : null;
}

/** The astronomer's labels by class (sub-classes count as the class they imply). */
function countLabels(desk: DeskStore): { real: number; bogus: number; skip: number } {
  const n = { real: 0, bogus: 0, skip: 0 };
  for (const r of desk.labels.all()) n[trainingClass(r) ?? 'skip']++;
  return n;
}
