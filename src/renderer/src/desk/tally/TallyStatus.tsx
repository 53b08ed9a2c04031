import { formatDuration, type Tally } from './tally';

/** The tally in one line of the status bar: what the night costs and what the model saves. */
export function TallyStatus({ tally }: { tally: Tally }) {
  const { seed, own } = tally;
  return (
    <span className="tally" data-testid="status-tally">
      <span data-testid="tally-vetted">
        vetted {tally.vetted}/{tally.candidates}
      </span>
      <span data-testid="tally-pace">
        pace {tally.pace === null ? '-' : `${tally.pace.toFixed(2)} s`}/cand
      </span>
      <span data-testid="tally-saved">
        {seed
          ? `saved ${formatDuration(seed.hoursSaved)} at ${tally.secondsPerStampByHand} s/cand` +
            (own ? `, ${formatDuration(own.hoursSaved)} at your pace` : '')
          : 'saved: no model has scored this night'}
      </span>
    </span>
  );
}
