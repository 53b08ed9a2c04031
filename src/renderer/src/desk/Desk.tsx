import { useEffect, useMemo, type ReactNode } from 'react';
import type { DeskSnapshot, DeskStore } from './deskStore';
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
  s: DeskSnapshot;
  tally: Tally;
  side?: ReactNode;
  /** The season's tally, shown in the stats panel. */
  season?: ReactNode;
}) {
  const { desk, s, tally, side, season } = props;
  const picture = useMemo(
    () => (s.statsOpen ? modelPicture(s.rows, (id) => desk.labels.get(id)) : null),
    // labelsVersion: the label map changed in place.
    [s.statsOpen, s.rows, s.labelsVersion, desk],
  );
  return (
    <main className={`desk${s.statsOpen ? ' with-stats' : ''}${side ? ' with-side' : ''}`}>
      <QueueColumn desk={desk} s={s} />
      <section className="viewer" aria-label="candidate view">
        <div className="viewer-top">
          <StampPanels
            stamps={desk.stamps}
            current={s.current}
            settings={s.settings}
            theme={s.theme}
            onZoom={desk.setEffectiveZoom}
          />
          <CandidateFacts
            row={s.current}
            model={s.model}
            threshold={s.threshold}
            label={s.current ? desk.labels.get(s.current.id) : undefined}
            simulated={s.workspace?.simulated === true}
          />
          <LightCurvePanel bridge={desk.bridge} row={s.current} theme={s.theme} />
        </div>
        <StretchBar settings={s.settings} onChange={(p) => desk.setSettings(p)} />
        <LabelBar desk={desk} undoDepth={s.undoDepth} />
        {s.notice && (
          <p className="notice" role="status" data-testid="notice">
            {s.notice}
          </p>
        )}
      </section>
      {s.statsOpen && (
        <StatsPanel
          tally={tally}
          picture={picture}
          model={s.model}
          threshold={s.threshold}
          onClose={() => desk.setPanels({ statsOpen: false })}
        >
          {season}
        </StatsPanel>
      )}
      {side}
      {s.helpOpen && (
        <HelpOverlay
          actions={desk.actions.all() as never}
          onClose={() => desk.setPanels({ helpOpen: false })}
        />
      )}
    </main>
  );
}
