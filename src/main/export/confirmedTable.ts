/**
 * The confirmed list as CSV (for spreadsheets: formulas defused by csvCell) and as JSON (for
 * scripts). Empty CSV cells and JSON nulls both mean "not known".
 */
import { csvLine } from '../stamps/csv';
import { CONFIRMED_COLUMNS, type ConfirmedRow } from './confirmedRows';

/** Said inside every export of a simulated night, not only in its file name. */
export const SIMULATED_NOTE =
  'SIMULATED NIGHT: these candidates and stamps were made up by the Skysift demo; none is a real detection.';

export function confirmedToCsv(rows: readonly ConfirmedRow[], meta: { simulated?: boolean } = {}): string {
  // A '#' line (pandas comment='#', astropy's ascii reader and TOPCAT skip it; a spreadsheet shows it).
  const lines = meta.simulated ? [`# ${SIMULATED_NOTE}`] : [];
  lines.push(CONFIRMED_COLUMNS.join(','));
  for (const row of rows) lines.push(csvLine(CONFIRMED_COLUMNS.map((c) => row[c])));
  return lines.join('\r\n') + '\r\n';
}

export const CONFIRMED_JSON_FORMAT = 'skysift-confirmed';

export function confirmedToJson(
  rows: readonly ConfirmedRow[],
  meta: { workspace: string; exportedAt: Date; activeModel: string | null; simulated?: boolean },
): string {
  return (
    JSON.stringify(
      {
        format: CONFIRMED_JSON_FORMAT,
        version: 1,
        ...(meta.simulated ? { simulated: true, note: SIMULATED_NOTE } : {}),
        workspace: meta.workspace,
        exportedAt: meta.exportedAt.toISOString(),
        activeModel: meta.activeModel,
        units: { ra: 'deg (ICRS)', dec: 'deg (ICRS)', mjd: 'd (MJD, UTC)', mag: 'mag', exptime: 's' },
        rows,
      },
      null,
      2,
    ) + '\n'
  );
}
