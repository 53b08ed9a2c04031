import { formatDuration } from './tally';
import type { SeasonTally } from './season';

/** This night and the whole season of the home: candidates, flagged, labelled, time saved. */
export function SeasonTallyView({ season }: { season: SeasonTally | null }) {
  if (!season) return <p className="muted small">The home&apos;s nights are not known yet.</p>;
  const t = season.thisNight;
  const pace =
    season.paceSource === 'set'
      ? `${season.secondsPerStamp} s per candidate by hand (your setting)`
      : `${season.secondsPerStamp} s per candidate by hand (the seed's pace)`;
  const unscored = season.nights.filter((n) => n.flagged === null && n.candidates > 0).length;
  return (
    <section aria-label="season tally" data-testid="season-tally" data-nights={season.nights.length}>
      <h2>The season</h2>
      <table className="tally-table">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">this night</th>
            <th scope="col">all {season.nights.length} nights</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">candidates</th>
            <td>{t?.candidates ?? '-'}</td>
            <td data-testid="season-candidates" data-value={season.candidates}>
              {season.candidates}
            </td>
          </tr>
          <tr>
            <th scope="row">flagged by the model</th>
            <td>{t ? (t.flagged ?? 'not scored') : '-'}</td>
            <td>{season.flagged}</td>
          </tr>
          <tr>
            <th scope="row">your labels</th>
            <td>{t?.labelled ?? '-'}</td>
            <td data-testid="season-labelled" data-value={season.labelled}>
              {season.labelled}
            </td>
          </tr>
          <tr>
            <th scope="row">time spent labelling</th>
            <td>{t ? formatDuration(t.secondsSpent / 3600) : '-'}</td>
            <td>{formatDuration(season.secondsSpent / 3600)}</td>
          </tr>
          <tr>
            <th scope="row">time saved</th>
            <td data-testid="season-saved-night" data-value={t?.hoursSaved}>
              {t ? (t.flagged === null ? 'not scored' : formatDuration(t.hoursSaved)) : '-'}
            </td>
            <td data-testid="season-saved" data-value={season.hoursSaved}>
              {formatDuration(season.hoursSaved)}
            </td>
          </tr>
        </tbody>
      </table>
      <p className="muted small">
        Time saved: candidates not flagged, at {pace}
        {season.measuredPace !== null
          ? `; you took ${season.measuredPace.toFixed(2)} s per label on average`
          : ''}
        .{unscored ? ` ${unscored} night(s) not scored yet count no time saved.` : ''}
      </p>
      <table className="tally-table small" data-testid="season-nights">
        <thead>
          <tr>
            <th scope="col">night</th>
            <th scope="col">candidates</th>
            <th scope="col">flagged</th>
            <th scope="col">labels</th>
            <th scope="col">saved</th>
          </tr>
        </thead>
        <tbody>
          {season.nights.map((n) => (
            <tr key={n.dir} title={n.dir}>
              <th scope="row">{n.name}</th>
              <td>{n.candidates}</td>
              <td>{n.candidates === 0 ? 'empty' : (n.flagged ?? 'not scored')}</td>
              <td>{n.labelled}</td>
              <td>{n.flagged === null ? '-' : formatDuration(n.hoursSaved)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
