/**
 * The season's tally: time saved on this night and over every night of the home, from the
 * nights' own figures (homeInfo: candidates, flagged by the version that scored each, labels and
 * the seconds they took, from the journals). The open night's label figures come from the desk
 * itself when given (a label not yet acknowledged by main still counts). Time saved on a night
 * is the seed's arithmetic (src/shared/metrics.ts `scanTime`): the candidates not flagged, at a
 * pace by hand; a night no model has scored saves nothing yet and is said apart.
 */
import type { NightSummary } from '../../../../shared/contract';
import { DEFAULT_SECONDS_PER_STAMP, scanTime } from '../../../../shared/metrics';

export interface NightTime {
  dir: string;
  name: string;
  candidates: number;
  /** null: no model has scored the night. */
  flagged: number | null;
  labelled: number;
  secondsSpent: number;
  /** Hours to look at every candidate by hand, at the season's pace by hand. */
  hoursAll: number;
  /** Hours saved by looking only at the flagged ones (0 while not scored). */
  hoursSaved: number;
}

export interface SeasonTally {
  nights: NightTime[];
  /** The open night's row, when it is one of the home's. */
  thisNight: NightTime | null;
  candidates: number;
  /** Candidates of the nights a model scored (the ones time saved is counted on). */
  scoredCandidates: number;
  flagged: number;
  labelled: number;
  /** Seconds actually spent labelling, over the season. */
  secondsSpent: number;
  hoursAll: number;
  hoursSaved: number;
  /** The pace by hand the hours are counted at, and where it comes from. */
  secondsPerStamp: number;
  paceSource: 'set' | 'seed';
  /** Mean seconds per label over the season (null before the first label). */
  measuredPace: number | null;
}

export interface LiveNight {
  dir: string;
  candidates: number;
  flagged: number | null;
  labelled: number;
  secondsSpent: number;
}

function nightTime(n: LiveNight & { name: string }, pace: number): NightTime {
  const st = n.flagged === null ? null : scanTime(n.candidates, Math.min(n.flagged, n.candidates), pace);
  return {
    dir: n.dir,
    name: n.name,
    candidates: n.candidates,
    flagged: n.flagged,
    labelled: n.labelled,
    secondsSpent: n.secondsSpent,
    hoursAll: (n.candidates * pace) / 3600,
    hoursSaved: st ? st.hoursSaved : 0,
  };
}

export function seasonTally(
  nights: readonly NightSummary[],
  handPaceSeconds: number | null,
  openDir: string | null,
  live?: LiveNight,
): SeasonTally {
  const pace = handPaceSeconds ?? DEFAULT_SECONDS_PER_STAMP;
  const rows = nights.map((n) => {
    const base: LiveNight & { name: string } = {
      dir: n.dir,
      name: n.name,
      candidates: n.candidates,
      // Scored in part (an ingest still going): flagged among those scored, the rest unknown.
      flagged: n.scoredBy === null || n.threshold === null || n.scored === 0 ? null : n.flagged,
      labelled: n.labels.real + n.labels.bogus + n.labels.skip,
      secondsSpent: n.secondsSpent,
    };
    return nightTime(live && live.dir === n.dir ? { ...base, ...live } : base, pace);
  });
  // The open night may be missing from the home's list (opened by another host): count it too.
  if (live && !rows.some((r) => r.dir === live.dir))
    rows.push(nightTime({ ...live, name: live.dir.split(/[\\/]/).pop() ?? live.dir }, pace));
  const sum = (f: (r: NightTime) => number) => rows.reduce((s, r) => s + f(r), 0);
  const labelled = sum((r) => r.labelled);
  const secondsSpent = sum((r) => r.secondsSpent);
  return {
    nights: rows,
    thisNight: rows.find((r) => r.dir === openDir) ?? null,
    candidates: sum((r) => r.candidates),
    scoredCandidates: sum((r) => (r.flagged === null ? 0 : r.candidates)),
    flagged: sum((r) => r.flagged ?? 0),
    labelled,
    secondsSpent,
    hoursAll: sum((r) => r.hoursAll),
    hoursSaved: sum((r) => r.hoursSaved),
    secondsPerStamp: pace,
    paceSource: handPaceSeconds === null ? 'seed' : 'set',
    measuredPace: labelled ? secondsSpent / labelled : null,
  };
}
