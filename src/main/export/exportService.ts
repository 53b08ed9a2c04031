/**
 * The export and import operations behind the contract calls and `skysift export`: choose the
 * rows, format them, write the file safely. One implementation for the app and the CLI.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../catalog/workspace';
import type {
  ConfirmedFormat,
  ExportResult,
  HumanLabel,
  LabelSetFormat,
  LabelsImportResult,
  TnsDraftOptions,
} from '../../shared/labels';
import { VERSION } from '../version';
import { confirmedRows } from './confirmedRows';
import { confirmedToCsv, confirmedToJson } from './confirmedTable';
import { mergeLabels } from './labelMerge';
import { labelsToCsv, labelsToJson, parseLabelFile } from './labelSetFile';
import { ExportError, exportFileName, writeExportFile } from './outputFile';
import { tnsDraft, tnsHistory } from './tnsDraft';
import { confirmedToVoTable } from './votable';

const CONFIRMED_EXT: Record<ConfirmedFormat, string> = {
  csv: 'csv',
  json: 'json',
  votable: 'vot',
  tns: 'json',
};

export interface ExportConfirmedRequest {
  labels: readonly HumanLabel[];
  format: ConfirmedFormat;
  folder: string;
  subclasses?: readonly string[];
  tns?: TnsDraftOptions;
  createFolder?: boolean;
}

export async function exportConfirmed(
  ws: Workspace,
  req: ExportConfirmedRequest,
  now = new Date(),
): Promise<ExportResult> {
  ws.refresh();
  const { rows, unknownIds } = confirmedRows(ws, req.labels, { subclasses: req.subclasses });
  const meta = {
    workspace: ws.name,
    exportedAt: now,
    activeModel: ws.settings.activeModel,
    simulated: ws.settings.simulated,
  };
  let text: string;
  let count = rows.length;
  switch (req.format) {
    case 'csv':
      text = confirmedToCsv(rows, meta);
      break;
    case 'json':
      text = confirmedToJson(rows, meta);
      break;
    case 'votable':
      text = confirmedToVoTable(rows, { ...meta, generator: `Skysift ${VERSION}` });
      break;
    case 'tns': {
      const draft = tnsDraft(rows, req.tns, { simulated: meta.simulated, history: tnsHistory(ws, rows) });
      count = Object.keys(draft.at_report).length;
      text = JSON.stringify(draft, null, 2) + '\n';
      break;
    }
  }
  const kind = req.format === 'tns' ? 'tns-draft' : 'confirmed';
  const file = await writeExportFile(
    req.folder,
    (n) => exportFileName(kind, ws.name, now, CONFIRMED_EXT[req.format], n),
    text,
    { createFolder: req.createFolder },
  );
  return { file, rows: count, unknownIds };
}

export async function exportLabelSet(
  ws: Workspace,
  req: {
    labels: readonly HumanLabel[];
    format: LabelSetFormat;
    folder: string;
    fileName?: string;
    createFolder?: boolean;
  },
  now = new Date(),
): Promise<{ file: string; rows: number }> {
  const text = req.format === 'csv' ? labelsToCsv(req.labels) : labelsToJson(req.labels, ws.name, now);
  const named = req.fileName;
  const file = await writeExportFile(
    req.folder,
    (n) =>
      named
        ? n === 1
          ? named
          : named.replace(/(\.[^.]*)?$/, (ext) => `-${n}${ext}`)
        : exportFileName('labels', ws.name, now, req.format, n),
    text,
    { createFolder: req.createFolder },
  );
  return { file, rows: req.labels.length };
}

/** Read a label-set file; a missing or unreadable file is an error the user can act on. */
export async function readLabelFile(file: string) {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExportError(
      code === 'ENOENT'
        ? `${file}: no such file. Choose a label file exported from Skysift (.csv or .json).`
        : `${file}: cannot be read (${(e as Error).message}).`,
    );
  }
  return parseLabelFile(text, file);
}

/**
 * Import a colleague's label set: never overwrites. The caller (the renderer) adds `labels`,
 * shows `conflicts` for a decision, and reports the rest.
 */
export async function importLabelSet(
  ws: Workspace,
  req: { file: string; existing: readonly HumanLabel[] },
): Promise<LabelsImportResult> {
  ws.refresh();
  const parsed = await readLabelFile(req.file);
  const merged = mergeLabels(
    parsed.labels,
    req.existing,
    ws.dir,
    (id) => ws.has(id),
    path.basename(req.file),
  );
  return {
    file: path.resolve(req.file),
    labels: merged.labels,
    conflicts: merged.conflicts,
    identical: merged.identical,
    unknownIds: merged.unknownIds,
    errors: [...parsed.errors, ...merged.errors].sort((a, b) => a.line - b.line),
  };
}

/**
 * The labels that came with the data (e.g. autoscan OBJECT_TYPE), as if given by 'data' when the
 * workspace was created: what `skysift export` uses when no label file is given.
 */
export function dataLabels(ws: Workspace): HumanLabel[] {
  const out: HumanLabel[] = [];
  for (const e of ws.list()) {
    if (!e.given.label) continue;
    out.push({
      candidateId: e.id,
      workspace: ws.dir,
      label: e.given.label,
      subclass: null,
      modelVersion: null,
      score: null,
      secondsSpent: 0,
      labelledAt: ws.settings.createdAt,
      by: 'data',
    });
  }
  return out;
}
