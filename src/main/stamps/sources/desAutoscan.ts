/**
 * The DES autoscan layout: srch<ID>.fits, temp<ID>.fits, diff<ID>.fits (optionally .gz, or .gif as
 * in the public release), anywhere under the folder, and optionally autoscan_features.3.csv:
 * 6 comment lines, then a header with ID, OBJECT_TYPE (0 = real, 1 = artifact) and 38 features.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Given } from '../../../shared/candidate';
import { parseCsvRows } from '../csv';
import { tripletUnit, type IngestUnit, type UnitError } from './types';

const STAMP_RE = /^(srch|temp|diff)(.+?)\.(fits|fit|fts)(\.gz|\.fz)?$|^(srch|temp|diff)(.+?)\.gif$/i;
export const AUTOSCAN_LABELS_RE = /^autoscan_features(\.\d+)?\.csv$/i;

interface Triple {
  srch?: string;
  temp?: string;
  diff?: string;
}

export interface AutoscanLabels {
  given: Map<string, Given>;
  errors: UnitError[];
}

/** Read autoscan_features.3.csv: labels and the features that come with them. */
export async function readAutoscanLabels(file: string): Promise<AutoscanLabels> {
  const text = await fs.readFile(file, 'utf8');
  const rows = parseCsvRows(text, file).filter((r) => !r.cells[0]?.startsWith('#'));
  const errors: UnitError[] = [];
  const given = new Map<string, Given>();
  if (rows.length === 0)
    return { given, errors: [{ file, reason: 'no header line after the comment lines' }] };
  const header = rows[0].cells.map((c) => c.trim());
  const idCol = header.indexOf('ID');
  const typeCol = header.indexOf('OBJECT_TYPE');
  if (idCol < 0)
    return {
      given,
      errors: [{ file, reason: `no ID column in the header (found: ${header.slice(0, 8).join(', ')}...)` }],
    };
  for (const row of rows.slice(1)) {
    if (row.cells.length !== header.length) {
      errors.push({
        file: `${file}:${row.line}`,
        reason: `${row.cells.length} cells where the header has ${header.length}`,
      });
      continue;
    }
    const id = row.cells[idCol].trim();
    const features: Record<string, number> = {};
    header.forEach((name, i) => {
      if (i === idCol || i === typeCol) return;
      const v = Number(row.cells[i]);
      if (row.cells[i].trim() !== '' && Number.isFinite(v)) features[name] = v;
    });
    let label: Given['label'];
    if (typeCol >= 0) {
      const t = row.cells[typeCol].trim();
      if (t === '0') label = 'real';
      else if (t === '1') label = 'bogus';
      else
        errors.push({
          file: `${file}:${row.line}`,
          reason: `OBJECT_TYPE must be 0 (real) or 1 (artifact), got "${t}"`,
        });
    }
    given.set(id, { label, scores: {}, features });
  }
  return { given, errors };
}

export function desUnits(
  files: string[],
  labels: Map<string, Given>,
): { units: IngestUnit[]; errors: UnitError[] } {
  const byId = new Map<string, Triple>();
  for (const file of files) {
    const m = STAMP_RE.exec(path.basename(file));
    if (!m) continue;
    const kind = (m[1] ?? m[5]).toLowerCase() as keyof Triple;
    const id = m[2] ?? m[6];
    const t = byId.get(id) ?? {};
    t[kind] = file;
    byId.set(id, t);
  }
  const units: IngestUnit[] = [];
  const errors: UnitError[] = [];
  for (const [id, t] of byId) {
    if (!t.srch || !t.diff || !t.temp) {
      const missing = (['srch', 'temp', 'diff'] as const).filter((k) => !t[k]).map((k) => `${k}${id}.fits`);
      errors.push({
        file: (t.srch ?? t.temp ?? t.diff)!,
        reason: `incomplete triplet for ID ${id}: missing ${missing.join(', ')}`,
      });
      continue;
    }
    const triple = t as Required<Triple>;
    units.push(
      tripletUnit(
        { source: 'des', key: `des:${id}`, ids: [id] },
        {
          files: { search: triple.srch, template: triple.temp, difference: triple.diff },
          errorFile: triple.srch,
          finish: ({ meta, ...stamps }) => ({
            id,
            source: 'des',
            origin: { search: triple.srch, template: triple.temp, difference: triple.diff },
            meta: { survey: 'des', ...meta },
            given: labels.get(id) ?? { scores: {} },
            ...stamps,
          }),
        },
      ),
    );
  }
  return { units, errors };
}
