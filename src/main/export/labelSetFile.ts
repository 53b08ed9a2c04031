/**
 * Label-set files (CSV and JSON): the astronomer's whole label set out, and a colleague's back in.
 * Writing is lossless: every field of every label survives a round trip, including text that a
 * spreadsheet would run as a formula (csvCell defuses it with a leading quote, which reading
 * takes off again). Reading never throws on a bad line: each becomes an error naming the file and
 * the line, and every good line is still read.
 */
import path from 'node:path';
import type { z } from 'zod';
import {
  HumanLabelSchema,
  LABEL_SET_FORMAT,
  LABEL_SET_VERSION,
  LabelSetFileSchema,
  type HumanLabel,
  type LabelImportError,
} from '../../shared/labels';
import { CsvError, csvLine, parseCsvRows, type CsvRow } from '../stamps/csv';

/** Column order of the CSV file; reading accepts any order and ignores extra columns. */
export const LABEL_CSV_COLUMNS = [
  'candidateId',
  'label',
  'subclass',
  'by',
  'labelledAt',
  'modelVersion',
  'score',
  'secondsSpent',
  'workspace',
] as const;

/** Fields in schema order, so files are stable whatever order the caller's objects had. */
function canonical(l: HumanLabel): HumanLabel {
  return {
    candidateId: l.candidateId,
    workspace: l.workspace,
    label: l.label,
    subclass: l.subclass,
    modelVersion: l.modelVersion,
    score: l.score,
    secondsSpent: l.secondsSpent,
    labelledAt: l.labelledAt,
    by: l.by,
  };
}

/**
 * csvCell prefixes text starting with = + - @ (or tab/CR) with a quote so spreadsheets show it as
 * text. To undo that unambiguously we also prefix text that already starts with a quote; reading
 * then takes exactly one leading quote off any text cell.
 */
export function encodeTextCell(s: string | null): string | null {
  return s !== null && s.startsWith("'") ? `'${s}` : s;
}
export function decodeTextCell(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s;
}

export function labelsToCsv(labels: readonly HumanLabel[]): string {
  const lines = [LABEL_CSV_COLUMNS.join(',')];
  for (const l of labels) {
    lines.push(
      csvLine([
        encodeTextCell(l.candidateId),
        encodeTextCell(l.label),
        encodeTextCell(l.subclass),
        encodeTextCell(l.by),
        encodeTextCell(l.labelledAt),
        encodeTextCell(l.modelVersion),
        l.score,
        l.secondsSpent,
        encodeTextCell(l.workspace),
      ]),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** One label per line, so a diff or a by-eye review of a colleague's file stays readable. */
export function labelsToJson(labels: readonly HumanLabel[], workspace: string, exportedAt: Date): string {
  const head = JSON.stringify(
    { format: LABEL_SET_FORMAT, version: LABEL_SET_VERSION, workspace, exportedAt: exportedAt.toISOString() },
    null,
    2,
  ).slice(0, -2);
  const body = labels.map((l) => `    ${JSON.stringify(canonical(l))}`).join(',\n');
  return `${head},\n  "labels": [\n${body}\n  ]\n}\n`;
}

export interface ParsedLabel {
  label: HumanLabel;
  line: number;
}
export interface ParsedLabelFile {
  labels: ParsedLabel[];
  errors: LabelImportError[];
}

function issues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

const REQUIRED_CSV_COLUMNS: readonly string[] = ['candidateId', 'label'];

function parseLabelsCsv(text: string, file: string): ParsedLabelFile {
  const name = path.basename(file);
  const errors: LabelImportError[] = [];
  let rows: CsvRow[];
  try {
    rows = parseCsvRows(text, name);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // A quote never closed (typically a file cut short): keep every line before the broken row.
    errors.push({ line: e.line, reason: `${e.message}; the lines from there on were not read` });
    // Split as the parser counts lines (CRLF, lone CR or LF), so the cut falls before the broken row.
    try {
      rows = parseCsvRows(
        text
          .split(/\r\n|\r|\n/)
          .slice(0, e.line - 1)
          .join('\n'),
        name,
      );
    } catch {
      rows = [];
    }
  }
  if (rows.length === 0) {
    errors.push({ line: 1, reason: `${name}, line 1: empty file, no header row` });
    return { labels: [], errors };
  }
  const header = rows[0].cells.map((c) => c.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  // candidateId and label are all a pipeline's CSV needs; the desk's own files carry every column.
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !col.has(c));
  if (missing.length) {
    errors.unshift({
      line: rows[0].line,
      reason: `${name}, line ${rows[0].line}: not a label file, missing columns ${missing.join(', ')} (needs candidateId,label; the desk's files also carry ${LABEL_CSV_COLUMNS.filter((c) => !REQUIRED_CSV_COLUMNS.includes(c)).join(',')})`,
    });
    return { labels: [], errors };
  }
  const importedAt = new Date().toISOString();
  const labels: ParsedLabel[] = [];
  for (const row of rows.slice(1)) {
    const where = `${name}, line ${row.line}`;
    if (row.cells.length !== header.length) {
      errors.push({
        line: row.line,
        reason: `${where}: ${row.cells.length} cells where the header has ${header.length} (a line cut short or a stray comma?)`,
      });
      continue;
    }
    // An absent column reads as an empty cell; empty cells of a minimal CSV get neutral values.
    const cell = (c: (typeof LABEL_CSV_COLUMNS)[number]) => (col.has(c) ? row.cells[col.get(c)!] : '');
    const text = (c: (typeof LABEL_CSV_COLUMNS)[number]) => decodeTextCell(cell(c));
    const orNull = (s: string) => (s === '' ? null : s);
    const num = (s: string) => (s.trim() === '' ? null : Number(s));
    const candidate = {
      candidateId: text('candidateId'),
      workspace: text('workspace'),
      label: text('label'),
      subclass: orNull(text('subclass')),
      modelVersion: orNull(text('modelVersion')),
      score: num(cell('score')),
      secondsSpent: col.has('secondsSpent') ? num(cell('secondsSpent')) : 0,
      labelledAt: col.has('labelledAt') ? text('labelledAt') : importedAt,
      by: col.has('by') ? text('by') : `file ${name}`,
    };
    const parsed = HumanLabelSchema.safeParse(candidate);
    if (parsed.success) labels.push({ label: parsed.data, line: row.line });
    else
      errors.push({
        line: row.line,
        reason: `${where}: label for "${candidate.candidateId}" is not valid (${issues(parsed.error)})`,
      });
  }
  return { labels, errors };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line on which each element of the root object's "labels" array starts, so a bad label in a
 * JSON file is reported by line like a CSV one. Runs only on text JSON.parse accepted.
 */
export function jsonLabelLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let lastDepth1String: string | null = null;
  let inLabels = false;
  let expectElement = false;
  const elementStarts = () => {
    if (inLabels && depth === 2 && expectElement) {
      lines.push(line);
      expectElement = false;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') {
      elementStarts();
      let s = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\') j++;
        s += text[j];
      }
      if (depth === 1) lastDepth1String = s;
      i = j;
    } else if (c === '{' || c === '[') {
      elementStarts();
      depth++;
      if (c === '[' && depth === 2 && lastDepth1String === 'labels') {
        inLabels = true;
        expectElement = true;
      }
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 2) inLabels = false;
    } else if (c === ',') {
      if (inLabels && depth === 2) expectElement = true;
    } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== ':') {
      elementStarts();
    }
  }
  return lines;
}

function parseLabelsJson(text: string, file: string): ParsedLabelFile {
  const name = path.basename(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const ln = /line (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : ln ? Number(ln[1]) : 1;
    return {
      labels: [],
      errors: [
        { line, reason: `${name}, line ${line}: not valid JSON (${msg}); nothing was imported from it` },
      ],
    };
  }
  const file1 = LabelSetFileSchema.safeParse(raw);
  if (!file1.success) {
    const r = raw as { format?: unknown; version?: unknown } | null;
    const why =
      r && r.format === LABEL_SET_FORMAT && typeof r.version === 'number' && r.version > LABEL_SET_VERSION
        ? `written by a newer Skysift (label-set version ${r.version}); update Skysift to read it`
        : `not a Skysift label file (${issues(file1.error)})`;
    return { labels: [], errors: [{ line: 1, reason: `${name}, line 1: ${why}` }] };
  }
  const lines = jsonLabelLines(text);
  const labels: ParsedLabel[] = [];
  const errors: LabelImportError[] = [];
  file1.data.labels.forEach((item, i) => {
    const line = lines[i] ?? 1;
    const parsed = HumanLabelSchema.safeParse(item);
    if (parsed.success) labels.push({ label: parsed.data, line });
    else {
      const id = (item as { candidateId?: unknown } | null)?.candidateId;
      errors.push({
        line,
        reason: `${name}, line ${line}: label ${i + 1}${typeof id === 'string' ? ` ("${id}")` : ''} is not valid (${issues(parsed.error)})`,
      });
    }
  });
  return { labels, errors };
}

/** Read a label-set file's text: JSON if it is named .json or starts with '{', else CSV. */
export function parseLabelFile(text: string, file: string): ParsedLabelFile {
  const looksJson = /\.json$/i.test(file) || (!/\.csv$/i.test(file) && text.trimStart().startsWith('{'));
  return looksJson ? parseLabelsJson(text, file) : parseLabelsCsv(text, file);
}
