import { fmtSeconds, formatDuration, type Tally } from './tally';

/** The tally in one line of the status bar: what the night costs and what the model saves. */
export function TallyStatus({ tally }: { tally: Tally }) {
  const { saved, byHand } = tally;
  return (
    <span className="tally" data-testid="status-tally">
      <span data-testid="tally-vetted">
        vetted {tally.vetted}/{tally.candidates}
        {tally.skipped ? `, ${tally.skipped} skipped` : ''}
      </span>
      <span data-testid="tally-pace">
        pace {tally.pace === null ? '-' : `${tally.pace.toFixed(2)} s`}/cand
      </span>
      <span data-testid="tally-saved">
        {saved
          ? `saved ${formatDuration(saved.hoursSaved)} at ${fmtSeconds(byHand.seconds)} s/cand by hand (${byHand.source})`
          : 'saved: no model has scored this night'}
      </span>
    </span>
  );
}
