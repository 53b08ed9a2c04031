/**
 * A triplet manifest: a CSV with an id column and paths (relative to the CSV) to the search,
 * template (may be empty) and difference files, plus optional metadata, labels and scores.
 * Column names are matched case-insensitively among the usual spellings.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CandidateMeta, Given } from '../../../shared/candidate';
import { parseCsvRows } from '../csv';
import { tripletUnit, type IngestUnit, type UnitError } from './types';

const COLUMNS = {
  id: ['id', 'candid', 'candidate_id', 'diasourceid'],
  search: ['sci', 'search', 'science', 'srch', 'new'],
  template: ['ref', 'template', 'temp', 'reference'],
  difference: ['diff', 'difference', 'sub'],
  time: ['time', 'mjd', 'jd', 'mjd_obs', 'mjd-obs'],
  timeKind: ['time_kind'],
  band: ['band', 'filter', 'fid'],
  ra: ['ra'],
  dec: ['dec'],
  mag: ['mag', 'magpsf'],
  magErr: ['magerr', 'sigmapsf'],
  isdiffpos: ['isdiffpos'],
  survey: ['survey'],
  objectId: ['objectid', 'object_id'],
  label: ['label'],
  objectType: ['object_type'],
} as const;

/** Machine scores carried along when present. `score` is named by a `score_name` column if any. */
const SCORE_COLUMNS = ['rb', 'drb', 'braai', 'reliability', 'realbogus', 'score'];

export function isManifestHeader(cells: string[]): boolean {
  const lower = cells.map((c) => c.trim().toLowerCase());
  const has = (names: readonly string[]) => names.some((n) => lower.includes(n));
  return has(COLUMNS.id) && has(COLUMNS.search) && has(COLUMNS.difference);
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

function parseLabel(label: string | undefined, objectType: string | undefined): Given['label'] | 'invalid' {
  const l = label?.trim().toLowerCase();
  if (l) {
    if (l === 'real' || l === 'sn' || l === 'supernova') return 'real';
    if (l === 'bogus' || l === 'artifact') return 'bogus';
    return 'invalid';
  }
  const t = objectType?.trim();
  if (t === '0') return 'real';
  if (t === '1') return 'bogus';
  return t ? 'invalid' : undefined;
}

export async function manifestUnits(csvFile: string): Promise<{ units: IngestUnit[]; errors: UnitError[] }> {
  const text = await fs.readFile(csvFile, 'utf8');
  const rows = parseCsvRows(text, csvFile).filter((r) => !r.cells[0]?.startsWith('#'));
  if (rows.length === 0)
    return { units: [], errors: [{ file: csvFile, reason: 'empty manifest: no header line' }] };
  const header = rows[0].cells.map((c) => c.trim().toLowerCase());
  if (!isManifestHeader(rows[0].cells)) {
    return {
      units: [],
      errors: [
        {
          file: csvFile,
          reason: `not a triplet manifest: needs an id column and search/difference path columns (found ${header.join(', ')})`,
        },
      ],
    };
  }
  const col = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const idx = Object.fromEntries(Object.entries(COLUMNS).map(([k, names]) => [k, col(names)])) as Record<
    keyof typeof COLUMNS,
    number
  >;
  const scoreNameCol = header.indexOf('score_name');
  const scoreCols = SCORE_COLUMNS.map((name) => [name, header.indexOf(name)] as const).filter(
    ([, i]) => i >= 0,
  );
  const dir = path.dirname(csvFile);
  const units: IngestUnit[] = [];
  const errors: UnitError[] = [];

  for (const row of rows.slice(1)) {
    const at = `${csvFile}:${row.line}`;
    if (row.cells.length !== header.length) {
      errors.push({ file: at, reason: `${row.cells.length} cells where the header has ${header.length}` });
      continue;
    }
    const cell = (i: number) => (i >= 0 ? row.cells[i].trim() : undefined);
    const id = cell(idx.id);
    const search = cell(idx.search);
    const difference = cell(idx.difference);
    if (!id || !search || !difference) {
      errors.push({ file: at, reason: 'missing id, search or difference path' });
      continue;
    }
    const label = parseLabel(cell(idx.label), cell(idx.objectType));
    if (label === 'invalid') {
      errors.push({ file: at, reason: 'label must be real/bogus (or OBJECT_TYPE 0/1)' });
      continue;
    }
    const template = cell(idx.template) || null;
    const resolve = (p: string) => (path.isAbsolute(p) ? p : path.join(dir, p));
    const rowMeta: Partial<CandidateMeta> = {};
    const time = num(cell(idx.time));
    if (time !== undefined) {
      const kind = (cell(idx.timeKind) ?? header[idx.time]).toLowerCase();
      rowMeta.mjd = kind === 'jd' || (kind === 'time' && time > 2_400_000) ? time - 2400000.5 : time;
    }
    const band = cell(idx.band);
    if (band) rowMeta.band = band;
    for (const k of ['ra', 'dec', 'mag', 'magErr'] as const) {
      const v = num(cell(idx[k]));
      if (v !== undefined) rowMeta[k] = v;
    }
    const dp = cell(idx.isdiffpos)?.toLowerCase();
    if (dp) rowMeta.isdiffpos = dp === 't' || dp === '1' || dp === 'true';
    const survey = cell(idx.survey);
    if (survey) rowMeta.survey = survey;
    const objectId = cell(idx.objectId);
    if (objectId) rowMeta.objectId = objectId;
    const scores: Record<string, number> = {};
    for (const [name, i] of scoreCols) {
      const v = num(row.cells[i]);
      if (v === undefined) continue;
      const key = name === 'score' && scoreNameCol >= 0 ? row.cells[scoreNameCol].trim() || 'score' : name;
      scores[key] = v;
    }
    const files = {
      search: resolve(search),
      template: template ? resolve(template) : null,
      difference: resolve(difference),
    };
    units.push(
      tripletUnit(
        { source: 'manifest', key: `manifest:${id}`, ids: [id] },
        {
          files,
          errorFile: at,
          finish: ({ meta, ...stamps }) => ({
            id,
            source: 'manifest',
            origin: files,
            // The manifest is the alert record's stand-in: its columns win over FITS headers.
            meta: { ...meta, ...rowMeta },
            given: { label, scores },
            ...stamps,
          }),
        },
      ),
    );
  }
  return { units, errors };
}
