/**
 * `skysift show <id> --workspace <ws> [--json]`: one candidate with its context and its object's
 * light curve, through the same API calls as the desk (workspaceOpen, candidateContext).
 */
import { parseArgs } from 'node:util';
import type { Client } from '../client';
import type { CandidateContextResult, LightCurvePoint } from '../../shared/context';

const f = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined ? '' : x.toFixed(digits);

function pointLine(p: LightCurvePoint, current: string): string {
  const value =
    p.kind === 'limit'
      ? `> ${f(p.limit, 2)}`
      : p.mag !== null
        ? `${f(p.mag, 2)} +- ${f(p.magErr, 2)}`
        : `${f(p.flux, 1)} +- ${f(p.fluxErr, 1)} nJy`;
  const who = p.candidateId ? `${p.candidateId}${p.night ? ` (${p.night})` : ''}` : '';
  return [
    p.candidateId === current ? '*' : ' ',
    f(p.time, 5).padStart(12),
    p.band.padEnd(5),
    (p.kind + (p.negative ? '-' : '')).padEnd(10),
    value.padEnd(22),
    who,
  ].join(' ');
}

export function formatContext(c: CandidateContextResult): string {
  const lines: string[] = [];
  const me = c.lightCurve.find((p) => p.candidateId === c.id);
  lines.push(`candidate ${c.id}, object ${c.object}`);
  if (me)
    lines.push(
      `  this epoch: MJD ${f(me.time, 5)}, band ${me.band}` +
        (me.mag !== null ? `, mag ${f(me.mag, 2)} +- ${f(me.magErr, 2)}` : '') +
        (me.negative ? ' (negative difference)' : ''),
    );
  const s = c.summary;
  lines.push(
    `  ${s.detections} detection(s); first MJD ${s.firstDetection === null ? 'unknown' : f(s.firstDetection, 5)}` +
      `${c.ageDays === null ? '' : ` (${f(c.ageDays, 1)} days before this epoch)`}; peak mag ${s.peakMag === null ? 'unknown' : f(s.peakMag, 2)}`,
  );
  const k = c.facts;
  if (k.ndethist !== undefined) lines.push(`  the survey counts ${k.ndethist} detection(s) at this position`);
  if (k.nearestStarDist !== undefined)
    lines.push(
      `  nearest catalogued source: ${f(k.nearestStarDist, 2)}" away, star/galaxy score ${f(k.nearestStarScore, 2) || 'unknown'}` +
        `${k.nearestStarMag !== undefined ? `, r ${f(k.nearestStarMag, 2)}` : ''}${s.nearStar ? ' (near a star)' : ''}`,
    );
  if (k.asteroidName !== undefined)
    lines.push(
      `  known asteroid ${k.asteroidName}${k.asteroidDist !== undefined ? ` ${f(k.asteroidDist, 1)}" away` : ''}` +
        `${k.asteroidMag !== undefined ? `, V ${f(k.asteroidMag, 1)}` : ''}`,
    );
  for (const r of c.rates)
    lines.push(
      `  band ${r.band}: ${r.magPerDay > 0 ? '+' : ''}${f(r.magPerDay, 3)} mag/day over ${f(r.days, 1)} days (${r.magPerDay < 0 ? 'rising' : 'fading'})`,
    );
  if (c.epochs.length > 1) lines.push(`  ${c.epochs.length} epochs of this object in this night`);
  if (c.lightCurve.length <= 1) {
    lines.push('  no earlier epochs known');
  } else {
    lines.push(`light curve (${c.lightCurve.length} points, * = this candidate):`);
    for (const p of c.lightCurve) lines.push(pointLine(p, c.id));
  }
  return lines.join('\n');
}

export async function show(client: Client, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string', short: 'w' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || !values.workspace)
    throw new Error('usage: skysift show <candidate id> --workspace <dir> [--json]');
  const ws = await client.call('workspaceOpen', { dir: values.workspace });
  const ctx = await client.call('candidateContext', { id: positionals[0] });
  if (values.json) console.log(JSON.stringify({ workspace: ws.dir, ...ctx }, null, 2));
  else console.log(formatContext(ctx));
}
