import { useEffect, useMemo, type ReactNode } from 'react';
import type { DeskStore } from './deskStore';
import type { DeskState } from './useDesk';
import { activeModel, activeThreshold } from './queue/queueStore';
import { QueueColumn } from './queue/QueueColumn';
import { StampPanels } from './stamps/StampPanels';
import { StretchBar } from './stamps/StretchBar';
import { CandidateFacts } from './candidate/CandidateFacts';
import { LightCurvePanel } from './lightcurve/LightCurvePanel';
import { LabelBar } from './labels/LabelBar';
import { HelpOverlay } from './help/HelpOverlay';
import { StatsPanel } from './tally/StatsPanel';
import { modelPicture, type Tally } from './tally/tally';
import { keyName } from './actions/registry';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  // A checkbox takes no text: keys pressed on it still belong to the desk.
  if (tag === 'INPUT') return (el as HTMLInputElement).type !== 'checkbox';
  return tag === 'SELECT' || tag === 'TEXTAREA' || el.isContentEditable;
}

/** Keys go to the desk's action registry, except while the astronomer types in a form field. */
export function useDeskKeys(desk: DeskStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) {
        // Esc leaves a field and gives the keys back to the desk.
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const key = keyName(e);
      if (key !== null && desk.handleKey(key, e.timeStamp)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [desk]);
}

/** `side`: the Model, Export or Night panel, a column of its own beside the desk (never over it). */
export function Desk(props: {
  desk: DeskStore;
  s: DeskState;
  tally: Tally;
  side?: ReactNode;
  /** The season's tally, shown in the stats panel. */
  season?: ReactNode;
}) {
  const { desk, s, tally, side, season } = props;
  const { queue, panels, view } = s;
  const model = activeModel(queue);
  const threshold = activeThreshold(queue);
  const picture = useMemo(
    () => (panels.statsOpen ? modelPicture(queue.rows, desk.labels.get) : null),
    // labels.version: the label map changed in place.
    [panels.statsOpen, queue.rows, s.labels.version, desk],
  );
  return (
    <main className={`desk${panels.statsOpen ? ' with-stats' : ''}${side ? ' with-side' : ''}`}>
      <QueueColumn desk={desk} s={queue} labelsVersion={s.labels.version} />
      <section className="viewer" aria-label="candidate view">
        <div className="viewer-top">
          <StampPanels
            stamps={desk.stamps}
            current={queue.current}
            settings={view.settings}
            theme={view.theme}
            onZoom={desk.view.setEffectiveZoom}
          />
          <CandidateFacts
            row={queue.current}
            model={model}
            threshold={threshold}
            label={queue.current ? desk.labels.get(queue.current.id) : undefined}
            simulated={queue.workspace?.simulated === true}
          />
          <LightCurvePanel bridge={desk.bridge} row={queue.current} theme={view.theme} />
        </div>
        <StretchBar settings={view.settings} onChange={(p) => desk.view.setSettings(p)} />
        <LabelBar desk={desk} undoDepth={s.labels.undoDepth} redoDepth={s.labels.redoDepth} />
        {panels.notice && (
          <p className="notice" role="status" data-testid="notice">
            {panels.notice}
          </p>
        )}
      </section>
      {panels.statsOpen && (
        <StatsPanel
          tally={tally}
          picture={picture}
          model={model}
          threshold={threshold}
          onClose={() => desk.panels.set({ statsOpen: false })}
        >
          {season}
        </StatsPanel>
      )}
      {side}
      {panels.helpOpen && (
        <HelpOverlay actions={desk.actions.all()} onClose={() => desk.panels.set({ helpOpen: false })} />
      )}
    </main>
  );
}
