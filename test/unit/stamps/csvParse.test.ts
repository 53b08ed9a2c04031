/**
 * parseCsvRows takes unquoted fields in slices: the same rows, lines and errors as the reference
 * parser it replaced (one character at a time, kept here), on random CSV-shaped text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvRows, type CsvRow } from '../../../src/main/stamps/csv';

/** The parser before, character by character (the rows it returned, or its error message). */
function reference(text: string, file: string): CsvRow[] | string {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
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
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
          return `${file}, line ${line}: text after a closing quote: quote the whole field or escape quotes as ""`;
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
      cell += c;
      i++;
    }
  }
  if (inQuotes) return `${file}, line ${rowLine}: a quoted field is never closed`;
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
}

function parsed(text: string): CsvRow[] | string {
  try {
    return parseCsvRows(text, 'f.csv');
  } catch (e) {
    return (e as Error).message;
  }
}

describe('parseCsvRows', () => {
  it('gives what the character-by-character parser gave, on 20,000 CSV-shaped texts', () => {
    const piece = fc.constantFrom(
      'a',
      'bc',
      '1.5',
      ' ',
      '"',
      '""',
      ',',
      '\n',
      '\r',
      '\r\n',
      'x"y',
      '\ufeff',
      'é',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(parsed(text)).toEqual(reference(text, 'f.csv'));
      }),
      { seed: 20261127, numRuns: 20_000 },
    );
  });

  it('reads an autoscan-like row of numbers and a quoted path', () => {
    expect(parseCsvRows('ID,A\r\n7,"a,b"\n8,-1e3', 'x.csv')).toEqual([
      { line: 1, cells: ['ID', 'A'] },
      { line: 2, cells: ['7', 'a,b'] },
      { line: 3, cells: ['8', '-1e3'] },
    ]);
  });
});
