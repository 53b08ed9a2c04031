/**
 * Read a TABLEDATA VOTable back into rows: the proof that what we write means what we meant
 * (the export tests re-read every file). Test-only: the app never reads VOTables back.
 * Handles the first TABLE of the first RESOURCE; BINARY/FITS serialisations are not read.
 */
import { CONFIRMED_COLUMNS, type ConfirmedRow } from '../../src/main/export/confirmedRows';
import { parseXml, type XmlElement } from './xmlTree';

export interface VoField {
  name: string;
  datatype: string;
  arraysize?: string;
  unit?: string;
  ucd?: string;
  ref?: string;
  xtype?: string;
}

export interface VoTableData {
  version: string | undefined;
  xmlns: string | undefined;
  fields: VoField[];
  /** Cells as written, entities decoded. */
  rows: string[][];
  root: XmlElement;
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
const NUMERIC = new Set(['short', 'int', 'long', 'float', 'double', 'unsignedByte']);

export function readVoTable(text: string): VoTableData {
  const root = parseXml(text);
  if (root.name !== 'VOTABLE') throw new Error(`not a VOTable: the root element is <${root.name}>`);
  const resource = child(root, 'RESOURCE');
  const table = resource && child(resource, 'TABLE');
  if (!table) throw new Error('no RESOURCE/TABLE in this VOTable');
  const fields: VoField[] = table.children
    .filter((c) => c.name === 'FIELD')
    .map((f) => ({
      name: f.attrs.name,
      datatype: f.attrs.datatype,
      arraysize: f.attrs.arraysize,
      unit: f.attrs.unit,
      ucd: f.attrs.ucd,
      ref: f.attrs.ref,
      xtype: f.attrs.xtype,
    }));
  const data = child(table, 'DATA');
  const tabledata = data && child(data, 'TABLEDATA');
  if (data && !tabledata) throw new Error('this VOTable is not in TABLEDATA serialisation');
  const rows = (tabledata?.children ?? []).map((tr, i) => {
    const cells = tr.children.filter((c) => c.name === 'TD').map((td) => td.text);
    if (cells.length !== fields.length)
      throw new Error(`line ${tr.line}: row ${i + 1} has ${cells.length} TD for ${fields.length} FIELDs`);
    return cells;
  });
  return { version: root.attrs.version, xmlns: root.attrs.xmlns, fields, rows, root };
}

/** Cell text to a value: empty is null; numbers per their datatype. */
export function voValue(text: string, datatype: string): string | number | null {
  if (text === '') return null;
  if (NUMERIC.has(datatype)) {
    const t = text.trim();
    return t === '' || t === 'NaN' ? null : Number(t);
  }
  return text;
}

/** Re-read a confirmed list written by confirmedToVoTable into the same rows. */
export function readConfirmedVoTable(text: string): ConfirmedRow[] {
  const t = readVoTable(text);
  const index = new Map(t.fields.map((f, i) => [f.name, i]));
  const missing = CONFIRMED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) throw new Error(`not a Skysift confirmed list: no FIELD ${missing.join(', ')}`);
  return t.rows.map((cells) => {
    const row: Record<string, unknown> = {};
    for (const c of CONFIRMED_COLUMNS) {
      const i = index.get(c)!;
      row[c] = voValue(cells[i], t.fields[i].datatype);
    }
    return row as unknown as ConfirmedRow;
  });
}
