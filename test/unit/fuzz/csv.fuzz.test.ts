/**
 * The CSV readers and writer under attack: parseCsvRows on random and CSV-shaped text, the triplet
 * manifest and the autoscan label reader on random files, the label-set importer (parseLabelFile)
 * on random CSV and JSON, and csvCell/csvLine: every cell round-trips, and no cell written from
 * text starts with = + - @ (or tab/CR), so a spreadsheet never runs an exported cell as a formula.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, csvCell, csvLine, parseCsvRows } from '../../../src/main/stamps/csv';
import { manifestUnits } from '../../../src/main/stamps/sources/manifest';
import { readAutoscanLabels } from '../../../src/main/stamps/sources/desAutoscan';
import { labelsToCsv, parseLabelFile } from '../../../src/main/export/labelSetFile';
import type { HumanLabel } from '../../../src/shared/labels';
import { FUZZ_RUNS, FUZZ_SEED, Tally } from './harness';

const isCsvError = (e: unknown) => e instanceof CsvError;
/** parseLabelFile returns its errors; the first is thrown as this to be classified like the others. */
class LabelImportProblem extends Error {}
/** A number as written by csvCell: a spreadsheet reads it as a number, never as a formula. */
const isNumberCell = (c: string) => c.trim() !== '' && Number.isFinite(Number(c));
const FORMULA_START = /^[=+\-@\t\r]/;

const cellArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '"',
      '""',
      '"a"b',
      'a"b',
      '"x',
      '=HYPERLINK("http://evil","x")',
      '+1',
      '-2+3',
      '@SUM(A1)',
      '\t=1',
      '\r=1',
      '#comment',
      '\ufeff',
      ',',
      '\n',
      '\r\n',
      'srch123.fits',
      '0',
      '1',
      '2',
      'real',
      'bogus',
      'NaN',
      '1e999',
      '',
      ' ',
    ),
  },
);

/** CSV-shaped text: rows of cells, joined by commas and any line ending, sometimes quoted. */
const csvTextArb = fc
  .record({
    header: fc.constantFrom(
      'id,sci,ref,diff,label,mjd,ra,dec,rb,score,score_name',
      'candid,search,template,difference,object_type,jd,time_kind',
      'ID,OBJECT_TYPE,MAG,FLUX_RATIO,SNR',
      'candidateId,label,subclass,by,labelledAt,modelVersion,score,secondsSpent,workspace',
      '',
    ),
    comments: fc.nat(7),
    rows: fc.array(fc.array(cellArb, { maxLength: 12 }), { maxLength: 16 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    quote: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(({ header, comments, rows, eol, quote, bom }) => {
    const lines = [
      ...Array.from({ length: comments }, (_, i) => `# autoscan comment line ${i}`),
      ...(header ? [header] : []),
      ...rows.map((r) =>
        r.map((c) => (quote && c.includes('"') ? `"${c.replace(/"/g, '""')}"` : c)).join(','),
      ),
    ];
    return `${bom ? '\ufeff' : ''}${lines.join(eol)}`;
  });

const anyTextArb = fc.oneof(
  { weight: 3, arbitrary: csvTextArb },
  { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

describe('CSV fuzz', () => {
  const tallies: Tally[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-csvfuzz-'));
  afterAll(() => {
    for (const t of tallies) console.log(t.report());
    rmSync(tmp, { recursive: true, force: true });
  });

  it(`parseCsvRows: ${FUZZ_RUNS} random and CSV-shaped texts give rows or a CsvError`, () => {
    const t = new Tally('CSV parseCsvRows');
    tallies.push(t);
    let i = 0;
    fc.assert(
      fc.property(anyTextArb, (text) => {
        const file = `fuzz-${i++}.csv`;
        t.run('text', file, () => void parseCsvRows(text, file), isCsvError);
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
  });

  it(`csvLine -> parseCsvRows: ${FUZZ_RUNS} random rows round-trip, and no written text cell can start a formula`, () => {
    const t = new Tally('CSV csvCell/csvLine round trip');
    tallies.push(t);
    let formulas = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(cellArb, fc.double(), fc.integer(), fc.boolean(), fc.constant(null)), {
          minLength: 2,
          maxLength: 10,
        }),
        (cells) => {
          t.run(
            'row',
            'round trip',
            () => {
              const line = csvLine(cells);
              const rows = parseCsvRows(`${line}\r\n`, 'round trip');
              expect(rows).toHaveLength(1);
              const back = rows[0].cells;
              expect(back).toHaveLength(cells.length);
              cells.forEach((c, k) => {
                if (typeof c === 'string') {
                  if (FORMULA_START.test(c)) formulas++;
                  // What a spreadsheet sees never starts a formula; the leading quote is the only change.
                  expect(FORMULA_START.test(back[k])).toBe(false);
                  expect(back[k]).toBe(FORMULA_START.test(c) ? `'${c}` : c);
                } else expect(back[k]).toBe(c === null ? '' : String(c));
              });
            },
            () => false,
          );
        },
      ),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    t.note(`${formulas} cells that started a formula were defused`);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@cmd|/c calc')).toBe("'@cmd|/c calc");
  });

  it(`manifestUnits and readAutoscanLabels: ${FUZZ_RUNS} random files each give units and per-line errors, or a CsvError`, async () => {
    const manifest = new Tally('CSV manifestUnits');
    const autoscan = new Tally('CSV readAutoscanLabels');
    tallies.push(manifest, autoscan);
    const file = path.join(tmp, 'manifest.csv');
    const labels = path.join(tmp, 'autoscan_features.3.csv');
    let units = 0;
    let lineErrors = 0;
    await fc.assert(
      fc.asyncProperty(anyTextArb, async (text) => {
        writeFileSync(file, text);
        writeFileSync(labels, text);
        await manifest.runAsync(
          'text',
          file,
          async () => {
            const m = await manifestUnits(file);
            units += m.units.length;
            lineErrors += m.errors.length;
            for (const e of m.errors)
              if (!e.file.startsWith(file)) throw new Error(`error not naming the file: ${e.file}`);
          },
          isCsvError,
        );
        await autoscan.runAsync(
          'text',
          labels,
          async () => {
            const a = await readAutoscanLabels(labels);
            for (const e of a.errors)
              if (!e.file.startsWith(labels)) throw new Error(`error not naming the file: ${e.file}`);
          },
          isCsvError,
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    manifest.note(`accepted files held ${units} units and ${lineErrors} per-line errors`);
  });

  it(`parseLabelFile (label-set import): ${FUZZ_RUNS} random CSV and JSON texts never throw; every error names a line`, () => {
    const t = new Tally('CSV/JSON parseLabelFile');
    tallies.push(t);
    let labels = 0;
    let errors = 0;
    const jsonish = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc
        .array(
          fc.record({
            candidateId: fc.oneof(fc.string(), cellArb),
            label: fc.constantFrom('real', 'bogus', 'skip', 'x', 1),
            labelledAt: fc.constantFrom('2026-11-25T10:00:00Z', 'yesterday', ''),
          }),
          { maxLength: 5 },
        )
        .map((ls) => JSON.stringify({ format: 'skysift-labels', version: 1, workspace: 'w', labels: ls })),
    );
    let i = 0;
    fc.assert(
      fc.property(fc.oneof(anyTextArb, jsonish), fc.boolean(), (text, asJson) => {
        const file = `fuzz-${i++}.${asJson ? 'json' : 'csv'}`;
        t.run(
          asJson ? 'json text' : 'csv text',
          file,
          () => {
            const r = parseLabelFile(text, file);
            labels += r.labels.length;
            errors += r.errors.length;
            for (const e of r.errors)
              if (!(e.line >= 0) || !e.reason) throw new Error(`unclear error ${JSON.stringify(e)}`);
            if (r.errors.length) throw new LabelImportProblem(r.errors[0].reason);
          },
          (e) => e instanceof LabelImportProblem,
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    t.note(`${labels} labels read and ${errors} per-line errors in all`);
  });

  it('labelsToCsv -> parseLabelFile: random label sets survive the trip, formulas defused on the way', () => {
    const labelArb: fc.Arbitrary<HumanLabel> = fc.record({
      candidateId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
      workspace: fc.oneof(fc.string(), cellArb),
      label: fc.constantFrom('real', 'bogus') as fc.Arbitrary<HumanLabel['label']>,
      subclass: fc.option(cellArb.filter((s) => s !== '')),
      modelVersion: fc.option(fc.string({ minLength: 1 })),
      score: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
      secondsSpent: fc.double({ min: 0, max: 1e6, noNaN: true }),
      labelledAt: fc.constantFrom('2026-11-25T10:00:00.000Z', '2021-07-01T03:04:05+02:00'),
      by: fc.oneof(fc.constantFrom('=cmd|/c calc', '@me', 'ana'), fc.string({ minLength: 1 })),
    });
    let n = 0;
    fc.assert(
      fc.property(fc.array(labelArb, { maxLength: 8 }), (ls) => {
        const csv = labelsToCsv(ls);
        for (const row of parseCsvRows(csv, 'x.csv'))
          for (const c of row.cells) expect(FORMULA_START.test(c) && !isNumberCell(c)).toBe(false);
        const back = parseLabelFile(csv, 'labels.csv');
        n += ls.length;
        if (back.errors.length === 0)
          expect(back.labels.map((l) => l.label.candidateId)).toEqual(ls.map((l) => l.candidateId));
      }),
      { seed: FUZZ_SEED, numRuns: 2000 },
    );
    console.log(
      `[fuzz] labelsToCsv -> parseLabelFile: 2000 label sets (${n} labels), no formula cell written`,
    );
  });
});
