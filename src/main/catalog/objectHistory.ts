/**
 * One object across packets and nights. Candidates are grouped by the survey's objectId where it
 * gives one; a candidate without one joins the nearest candidate within MATCH_RADIUS_ARCSEC (DES
 * autoscan and manifests carry positions only). The object's light curve is the union of its
 * candidates' epochs and of the histories their packets carried, one point per time and band.
 */
import {
  ASTEROID_RADIUS_ARCSEC,
  RISING_MAG_PER_DAY,
  STAR_RADIUS_ARCSEC,
  STAR_SCORE,
  type CandidateContextResult,
  type ContextFacts,
  type ContextSummary,
  type HistoryPoint,
  type LightCurvePoint,
  forEachDetection,
  unpackHistory,
} from '../../shared/context';
import type { CatalogEntry, Workspace } from './workspace';

export const MATCH_RADIUS_ARCSEC = 1.5;
const MAX_CACHED_CURVES = 256;
/** Rates are fitted over the detections of this many days before a band's latest one. */
export const RATE_WINDOW_DAYS = 10;
/** Two epochs closer than this (about a second) in the same band are one epoch. */
const SAME_EPOCH_DAYS = 1.5e-5;

interface Member {
  entry: CatalogEntry;
  night: string;
  /** The workspace the candidate is in: 0 the current one, then the others in the order given. */
  nightIndex: number;
}

const DEG = Math.PI / 180;

function separationArcsec(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s =
    Math.sin(((dec2 - dec1) * DEG) / 2) ** 2 +
    Math.cos(dec1 * DEG) * Math.cos(dec2 * DEG) * Math.sin(((ra2 - ra1) * DEG) / 2) ** 2;
  return ((2 * Math.asin(Math.min(1, Math.sqrt(s)))) / DEG) * 3600;
}

class UnionFind {
  private parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller index stays the root: the group's key comes from its first member.
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Declination strips one match radius high, each sorted by RA: a neighbour is in 3 strips. */
class PositionIndex {
  private strips = new Map<number, { ra: number; dec: number; i: number }[]>();
  private readonly h = MATCH_RADIUS_ARCSEC / 3600;

  add(ra: number, dec: number, i: number): void {
    const k = Math.floor(dec / this.h);
    let s = this.strips.get(k);
    if (!s) this.strips.set(k, (s = []));
    s.push({ ra, dec, i });
  }
  seal(): void {
    for (const s of this.strips.values()) s.sort((a, b) => a.ra - b.ra);
  }
  /** The nearest indexed point within the radius, other than `self`. */
  nearest(ra: number, dec: number, self: number): number | null {
    const k = Math.floor(dec / this.h);
    const cos = Math.cos(Math.min(89.9, Math.abs(dec) + this.h) * DEG);
    const w = Math.min(180, this.h / cos);
    let best: number | null = null;
    let bestD = MATCH_RADIUS_ARCSEC;
    for (const kk of [k - 1, k, k + 1]) {
      const s = this.strips.get(kk);
      if (!s) continue;
      // RA wraps at 0/360: look in the shifted windows too.
      for (const shift of [0, 360, -360]) {
        const lo = ra + shift - w;
        const hi = ra + shift + w;
        let a = 0;
        let b = s.length;
        while (a < b) {
          const mid = (a + b) >> 1;
          if (s[mid].ra < lo) a = mid + 1;
          else b = mid;
        }
        for (let j = a; j < s.length && s[j].ra <= hi; j++) {
          if (s[j].i === self) continue;
          const d = separationArcsec(ra, dec, s[j].ra, s[j].dec);
          if (d <= bestD) {
            bestD = d;
            best = s[j].i;
          }
        }
      }
    }
    return best;
  }
}

/** The objects of a night (and of the other nights given), built once per call. */
export class ObjectIndex {
  private members: Member[] = [];
  private groupOf: number[] = [];
  private groups = new Map<number, number[]>();
  private byId = new Map<string, number>();
  private curves = new Map<number, LightCurvePoint[]>();
  private sortedGroups = new Map<number, Member[]>();

  /** `scores`: the current night's active-model scores, which pick each object's best candidate. */
  constructor(
    current: Workspace,
    others: readonly Workspace[] = [],
    private readonly scores: ReadonlyMap<string, number> | null = null,
  ) {
    [current, ...others].forEach((ws, nightIndex) => {
      for (const entry of ws.list()) this.members.push({ entry, night: ws.name, nightIndex });
    });
    const n = this.members.length;
    const uf = new UnionFind(n);
    const byObject = new Map<string, number>();
    const index = new PositionIndex();
    this.members.forEach((m, i) => {
      // The current night's candidate wins an id that another night also holds.
      if (!this.byId.has(m.entry.id)) this.byId.set(m.entry.id, i);
      const { objectId, survey, ra, dec } = m.entry.meta;
      if (objectId) {
        const key = `${survey ?? ''}\u0000${objectId}`;
        const first = byObject.get(key);
        if (first === undefined) byObject.set(key, i);
        else uf.union(first, i);
      }
      if (ra !== undefined && dec !== undefined) index.add(ra, dec, i);
    });
    index.seal();
    this.members.forEach((m, i) => {
      const { objectId, ra, dec } = m.entry.meta;
      if (objectId || ra === undefined || dec === undefined) return;
      const j = index.nearest(ra, dec, i);
      if (j !== null) uf.union(i, j);
    });
    for (let i = 0; i < n; i++) {
      const root = uf.find(i);
      this.groupOf.push(root);
      const g = this.groups.get(root);
      if (g) g.push(i);
      else this.groups.set(root, [i]);
    }
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The object key of a candidate: the survey's objectId of a member, or 'pos:' + the first member's id. */
  objectOf(id: string): string {
    const root = this.groupOf[this.need(id)];
    const group = this.groups.get(root)!;
    for (const j of group) {
      const o = this.members[j].entry.meta.objectId;
      if (o) return o;
    }
    return `pos:${this.members[root].entry.id}`;
  }

  /** The object's candidates (every night given), by time. */
  membersOf(id: string): readonly Member[] {
    const root = this.groupOf[this.need(id)];
    let sorted = this.sortedGroups.get(root);
    if (!sorted) {
      sorted = this.groups
        .get(root)!
        .map((j) => this.members[j])
        .sort((a, b) => (a.entry.meta.mjd ?? Infinity) - (b.entry.meta.mjd ?? Infinity));
      this.sortedGroups.set(root, sorted);
    }
    return sorted;
  }

  /** The union of the object's epochs, oldest first. */
  lightCurve(id: string): LightCurvePoint[] {
    const root = this.groupOf[this.need(id)];
    let curve = this.curves.get(root);
    if (!curve) {
      // Kept for the desk's next keys on the same object; bounded, as an index lives with its night.
      if (this.curves.size >= MAX_CACHED_CURVES) this.curves.clear();
      this.curves.set(root, (curve = this.buildCurve(id)));
    }
    return curve;
  }

  private buildCurve(id: string): LightCurvePoint[] {
    const members = this.membersOf(id);
    const known = new Map<string, Member>();
    for (const m of members) known.set(m.entry.id, m);
    const points: LightCurvePoint[] = [];
    for (const m of members) {
      const e = m.entry;
      if (e.meta.mjd !== undefined && e.meta.band !== undefined)
        points.push({
          band: e.meta.band,
          time: e.meta.mjd,
          mag: e.meta.mag ?? null,
          magErr: e.meta.magErr ?? null,
          limit: null,
          flux: null,
          fluxErr: null,
          kind: 'detection',
          negative: e.meta.isdiffpos === false,
          candidateId: e.id,
          night: m.night,
        });
      for (const h of historyOf(m)) points.push(fromHistory(h, h.id ? known.get(h.id) : undefined));
    }
    return dedupe(points);
  }

  /** Facts of the candidate itself (the packet it came in). */
  facts(id: string): ContextFacts {
    return this.members[this.need(id)].entry.context?.facts ?? {};
  }

  summary(
    id: string,
    dets: readonly Detection[] = this.detectionsOf(this.groupOf[this.need(id)]),
  ): ContextSummary {
    const entry = this.members[this.need(id)].entry;
    const facts = this.facts(id);
    let firstSeen = Infinity;
    let peak = Infinity;
    let count = 0;
    for (const d of dets) {
      if (d.neg) continue;
      count++;
      if (d.t < firstSeen) firstSeen = d.t;
      if (d.m !== null && d.m < peak) peak = d.m;
    }
    for (const m of this.membersOf(id))
      firstSeen = Math.min(firstSeen, m.entry.context?.facts.firstDetection ?? Infinity);
    const until = entry.meta.mjd ?? Infinity;
    return {
      object: this.objectOf(id),
      detections: count,
      firstDetection: Number.isFinite(firstSeen) ? firstSeen : null,
      peakMag: Number.isFinite(peak) ? peak : null,
      asteroid:
        facts.asteroidName !== undefined &&
        (facts.asteroidDist === undefined || facts.asteroidDist <= ASTEROID_RADIUS_ARCSEC),
      nearStar:
        facts.nearestStarDist !== undefined &&
        facts.nearestStarScore !== undefined &&
        facts.nearestStarDist <= STAR_RADIUS_ARCSEC &&
        facts.nearestStarScore >= STAR_SCORE,
      rising: ratesOf(dets, until).some((r) => r.magPerDay < -RISING_MAG_PER_DAY),
      best: this.bestOf(id) === id,
    };
  }

  /** The object's candidate in the current night with the highest score (unscored: the latest). */
  bestOf(id: string): string {
    let best: Member | null = null;
    const score = (m: Member) => this.scores?.get(m.entry.id) ?? -Infinity;
    for (const m of this.membersOf(id)) {
      if (m.nightIndex !== 0) continue;
      // membersOf is by time, so >= lets a later epoch win a tie.
      if (!best || score(m) >= score(best)) best = m;
    }
    return best?.entry.id ?? id;
  }

  /** Everything `candidateContext` answers for one candidate. */
  context(id: string): CandidateContextResult {
    const entry = this.members[this.need(id)].entry;
    const summary = this.summary(id);
    const curve = this.lightCurve(id);
    const t = entry.meta.mjd;
    return {
      id,
      object: summary.object,
      facts: this.facts(id),
      summary,
      rates: bandRates(curve, t ?? Infinity),
      epochs: this.membersOf(id)
        .filter((m) => m.nightIndex === 0)
        .map((m) => ({ id: m.entry.id, time: m.entry.meta.mjd ?? null, band: m.entry.meta.band ?? null })),
      ageDays: t !== undefined && summary.firstDetection !== null ? t - summary.firstDetection : null,
      lightCurve: curve,
    };
  }

  /**
   * The row summaries of the current night: only candidates that know something beyond their own
   * epoch (a packet history or context, or another candidate of the same object), so a night of
   * stamps without any stays as light on the wire as before.
   */
  summaries(): Map<string, ContextSummary> {
    const out = new Map<string, ContextSummary>();
    for (const [root, group] of this.groups) {
      const here = group.filter((j) => this.members[j].nightIndex === 0);
      if (here.length === 0) continue;
      if (group.length < 2 && !this.members[group[0]].entry.context) continue;
      let dets: Detection[];
      try {
        dets = this.detectionsOf(root);
      } catch {
        // A damaged history costs its object's rows their summary, not the queue; the desk's panel says why.
        continue;
      }
      for (const j of here) {
        const id = this.members[j].entry.id;
        // An id another night also holds belongs to the current night's candidate.
        if (this.byId.get(id) === j) out.set(id, this.summary(id, dets));
      }
    }
    return out;
  }

  /**
   * The object's detections (its candidates' epochs and their packets' detections), one per band
   * and time, without building light-curve points: the queue needs this for every row.
   */
  detectionsOf(root: number): Detection[] {
    const all: Detection[] = [];
    for (const j of this.groups.get(root)!) {
      const m = this.members[j];
      const meta = m.entry.meta;
      if (meta.mjd !== undefined && meta.band !== undefined)
        all.push({ t: meta.mjd, b: meta.band, m: meta.mag ?? null, neg: meta.isdiffpos === false });
      if (!m.entry.context) continue;
      try {
        forEachDetection(m.entry.context.history, (t, b, mag, neg) => all.push({ t, b, m: mag, neg }));
      } catch (e) {
        throw damaged(m, e);
      }
    }
    all.sort((a, b) => (a.b < b.b ? -1 : a.b > b.b ? 1 : a.t - b.t));
    const out: Detection[] = [];
    for (const d of all) {
      const last = out[out.length - 1];
      if (last && last.b === d.b && Math.abs(last.t - d.t) <= SAME_EPOCH_DAYS) {
        last.m ??= d.m;
        continue;
      }
      out.push(d);
    }
    return out;
  }

  private need(id: string): number {
    const i = this.byId.get(id);
    if (i === undefined) throw new Error(`candidate ${id} is not in this night`);
    return i;
  }
}

/** A member's packet history; a damaged one is an error naming the night and the candidate. */
function historyOf(m: Member): HistoryPoint[] {
  if (!m.entry.context) return [];
  try {
    return unpackHistory(m.entry.context.history);
  } catch (e) {
    throw damaged(m, e);
  }
}

function damaged(m: Member, e: unknown): Error {
  return new Error(
    `night "${m.night}", candidate ${m.entry.id}: damaged history in the catalog (${(e as Error).message}); re-ingest its packet`,
  );
}

/** A detection as the summaries read it (light-curve points cost too much to build for every row). */
interface Detection {
  t: number;
  b: string;
  m: number | null;
  neg: boolean;
}

function fromHistory(h: HistoryPoint, member: Member | undefined): LightCurvePoint {
  const limit = h.lim !== undefined && h.m === undefined;
  return {
    band: h.b,
    time: h.t,
    mag: h.m ?? null,
    magErr: h.me ?? null,
    limit: limit ? h.lim! : null,
    flux: h.f ?? null,
    fluxErr: h.fe ?? null,
    kind: h.fo ? 'forced' : limit ? 'limit' : 'detection',
    negative: h.neg === true,
    candidateId: member?.entry.id ?? null,
    night: member?.night ?? null,
  };
}

const RANK: Record<LightCurvePoint['kind'], number> = { detection: 0, forced: 1, limit: 2 };

/** One point per band and time: a detection beats forced photometry beats a limit; fields merge. */
function dedupe(points: LightCurvePoint[]): LightCurvePoint[] {
  points.sort((a, b) => (a.band < b.band ? -1 : a.band > b.band ? 1 : a.time - b.time));
  const out: LightCurvePoint[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last.band !== p.band || Math.abs(last.time - p.time) > SAME_EPOCH_DAYS) {
      out.push({ ...p });
      continue;
    }
    const [keep, other] = RANK[p.kind] < RANK[last.kind] ? [{ ...p }, last] : [last, p];
    if (keep.kind === other.kind || (keep.kind === 'detection' && other.kind !== 'limit')) {
      keep.mag ??= other.mag;
      keep.magErr ??= other.magErr;
      keep.flux ??= other.flux;
      keep.fluxErr ??= other.fluxErr;
    }
    keep.candidateId ??= other.candidateId;
    keep.night ??= other.night;
    out[out.length - 1] = keep;
  }
  return out.sort((a, b) => a.time - b.time || (a.band < b.band ? -1 : a.band > b.band ? 1 : 0));
}

/**
 * Per band, the least-squares slope of magnitude against time over the positive detections of the
 * RATE_WINDOW_DAYS before the band's latest detection up to `until` (negative = brightening).
 */
export function bandRates(curve: readonly LightCurvePoint[], until: number): BandRate[] {
  return ratesOf(
    curve
      .filter((p) => p.kind === 'detection')
      .map((p) => ({ t: p.time, b: p.band, m: p.mag, neg: p.negative })),
    until,
  );
}

type BandRate = { band: string; magPerDay: number; days: number };

function ratesOf(dets: readonly Detection[], until: number): BandRate[] {
  const byBand = new Map<string, { t: number; m: number }[]>();
  for (const d of dets) {
    if (d.neg || d.m === null || d.t > until + SAME_EPOCH_DAYS) continue;
    const list = byBand.get(d.b);
    if (list) list.push({ t: d.t, m: d.m });
    else byBand.set(d.b, [{ t: d.t, m: d.m }]);
  }
  const out: BandRate[] = [];
  for (const [band, pts] of byBand) {
    if (pts.length < 2) continue;
    let last = -Infinity;
    for (const p of pts) if (p.t > last) last = p.t;
    const w = pts.filter((p) => p.t >= last - RATE_WINDOW_DAYS);
    let first = Infinity;
    for (const p of w) if (p.t < first) first = p.t;
    const span = last - first;
    // Two exposures of one night say more about the noise than about the object.
    if (w.length < 2 || span < 0.5) continue;
    const mt = w.reduce((s, p) => s + p.t, 0) / w.length;
    const mm = w.reduce((s, p) => s + p.m, 0) / w.length;
    const sxy = w.reduce((s, p) => s + (p.t - mt) * (p.m - mm), 0);
    const sxx = w.reduce((s, p) => s + (p.t - mt) ** 2, 0);
    out.push({ band, magPerDay: sxy / sxx, days: span });
  }
  return out.sort((a, b) => (a.band < b.band ? -1 : 1));
}

/**
 * One index per night while its catalog, the other nights and the scores stay the same: the desk
 * asks for a context on every move and for the summaries on every reload.
 */
interface IndexEntry {
  key: string;
  scores: ReadonlyMap<string, number> | null;
  others: readonly Workspace[];
  index: ObjectIndex;
  summaries?: Map<string, ContextSummary>;
}
const indexes = new WeakMap<Workspace, IndexEntry>();

function indexFor(
  current: Workspace,
  others: readonly Workspace[],
  scores: ReadonlyMap<string, number> | null,
) {
  const key = [current.size, ...others.map((w) => `${w.dir}:${w.size}`)].join('|');
  const hit = indexes.get(current);
  if (hit && hit.key === key && hit.scores === scores && hit.others.every((w, i) => w === others[i]))
    return hit;
  const fresh: IndexEntry = {
    key,
    scores,
    others: [...others],
    index: new ObjectIndex(current, others, scores),
  };
  indexes.set(current, fresh);
  return fresh;
}

/** The context of one candidate of `current`, its object gathered over `others` too. */
export function candidateContext(
  current: Workspace,
  others: readonly Workspace[],
  id: string,
): CandidateContextResult {
  // The active model's scores pick the object's best candidate, as in the queue.
  return indexFor(current, others, current.scores(current.settings.activeModel)).index.context(id);
}

/** Row summaries of the current night (for the queue's filters and object view). */
export function contextSummaries(
  current: Workspace,
  others: readonly Workspace[] = [],
  scores: ReadonlyMap<string, number> | null = null,
): Map<string, ContextSummary> {
  const entry = indexFor(current, others, scores);
  entry.summaries ??= entry.index.summaries();
  return entry.summaries;
}
