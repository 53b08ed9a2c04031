/**
 * RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF, embedded newlines in quotes.
 * Errors name the file and the line, so a broken manifest or label file is easy to mend.
 */
export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}, line ${line}: ${problem}`);
    this.name = 'CsvError';
  }
}

export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  cells: string[];
}

export function parseCsvRows(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvError(
            file,
            line,
            'text after a closing quote: quote the whole field or escape quotes as ""',
          );
        }
        continue;
      }
      if (c === '\n') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && cell === '') {
      inQuotes = true;
      i++;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      rowLine = line;
    } else {
      // The rest of an unquoted field in one slice: built character by character, a label file's
      // millions of cells were most of planning an ingest (and of its garbage).
      let j = i + 1;
      for (; j < n; j++) {
        const cc = text.charCodeAt(j);
        if (cc === 44 || cc === 10 || cc === 13) break; // , \n \r
      }
      cell += text.slice(i, j);
      i = j;
    }
  }
  if (inQuotes) throw new CsvError(file, rowLine, 'a quoted field is never closed');
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
}

/** Make a cell safe to write: quote when needed, and defuse spreadsheet formulas (= + - @). */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  // A leading U+FEFF is quoted too: at the start of a file a reader would take it for the byte-order mark.
  return /[",\n\r]|^\ufeff/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: Array<string | number | boolean | null | undefined>): string {
  return cells.map(csvCell).join(',');
}
