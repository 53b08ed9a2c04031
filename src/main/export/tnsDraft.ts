/**
 * A draft AT (astronomical transient) report for the Transient Name Server, in the JSON shape of
 * TNS's bulk-report API ({"at_report": {"0": {...}, "1": {...}}}). Skysift never sends it: the
 * astronomer reviews it, fills in what only they know (group ids, TNS filter and instrument ids,
 * the last non-detection), and submits it with TNS's own tools. Values we cannot know are left as
 * "<...>" placeholders, which TNS rejects, so a draft cannot be submitted unreviewed by accident.
 *
 * TNS codes used: at_type "1" = PSN (possible supernova); flux_units "1" = AB mag.
 */
import type { TnsDraftOptions } from '../../shared/labels';
import type { ConfirmedRow } from './confirmedRows';
import { decToSexagesimal, mjdToUtcString, raToSexagesimal } from './skyFormat';
import { SIMULATED_NOTE } from './confirmedTable';

export const TNS_AT_TYPE_PSN = '1';
export const TNS_FLUX_UNITS_AB_MAG = '1';

const placeholder = (what: string) => `<${what}>`;

export interface TnsDraft {
  _skysift_note: string;
  /** Present (true) only for a simulated night: then every report's remarks say so too. */
  _skysift_simulated?: true;
  /** Confirmed candidates left out, and why (no position or no time). */
  _skysift_left_out: { id: string; reason: string }[];
  at_report: Record<string, unknown>;
}

function reportFor(
  row: ConfirmedRow & { ra: number; dec: number; mjd: number },
  opts: TnsDraftOptions,
  simulated: boolean,
) {
  const band = row.band ?? '?';
  const survey = row.survey ?? 'the survey';
  const scoreText =
    row.score === null
      ? 'no classifier score'
      : `real/bogus score ${row.score.toFixed(3)} (${row.model ?? 'model unknown'})`;
  return {
    ra: { value: raToSexagesimal(row.ra), error: '', units: 'arcsec' },
    dec: { value: decToSexagesimal(row.dec), error: '', units: 'arcsec' },
    reporting_group_id: opts.reportingGroupId ?? placeholder('your TNS group id'),
    discovery_data_source_id:
      opts.discoveryDataSourceId ?? placeholder(`TNS group id of the data source (${survey})`),
    reporter: opts.reporter ?? placeholder('reporters, e.g. A. Astronomer (Institute)'),
    discovery_datetime: mjdToUtcString(row.mjd),
    at_type: TNS_AT_TYPE_PSN,
    internal_name: row.objectId ?? row.id,
    remarks:
      (simulated ? `${SIMULATED_NOTE} DO NOT SUBMIT. ` : '') +
      `DRAFT from Skysift, review before submitting. Vetted as real by ${row.by} at ${row.labelledAt}` +
      `${row.subclass ? ` (sub-class: ${row.subclass})` : ''}; ${scoreText}; ${survey} candidate ${row.id}.`,
    non_detection: {
      obsdate: '',
      limiting_flux: '',
      flux_units: TNS_FLUX_UNITS_AB_MAG,
      filter_value: '',
      instrument_value: '',
      exptime: '',
      observer: '',
      comments: '',
      archiveid: placeholder('TNS archive id, or give the last non-detection above instead'),
      archival_remarks: placeholder('archival remarks'),
    },
    photometry: {
      photometry_group: {
        '0': {
          obsdate: mjdToUtcString(row.mjd),
          flux: row.mag === null ? placeholder('discovery magnitude') : String(row.mag),
          flux_error: row.magErr === null ? '' : String(row.magErr),
          limiting_flux: '',
          flux_units: TNS_FLUX_UNITS_AB_MAG,
          filter_value: placeholder(`TNS filter id for band ${band}`),
          instrument_value: placeholder(`TNS instrument id (${survey})`),
          exptime: row.exptime === null ? '' : String(row.exptime),
          observer: placeholder('observer'),
          comments: `Difference-image magnitude from ${survey}, band ${band}.`,
        },
      },
    },
  };
}

export function tnsDraft(
  rows: readonly ConfirmedRow[],
  opts: TnsDraftOptions = {},
  night: { simulated?: boolean } = {},
): TnsDraft {
  const simulated = night.simulated === true;
  const reports: Record<string, unknown> = {};
  const leftOut: TnsDraft['_skysift_left_out'] = [];
  for (const row of rows) {
    if (row.ra === null || row.dec === null) leftOut.push({ id: row.id, reason: 'no RA/Dec in the catalog' });
    else if (row.mjd === null)
      leftOut.push({ id: row.id, reason: 'no observation time (MJD) in the catalog' });
    else
      reports[String(Object.keys(reports).length)] = reportFor(
        { ...row, ra: row.ra, dec: row.dec, mjd: row.mjd },
        opts,
        simulated,
      );
  }
  return {
    _skysift_note:
      (simulated ? `${SIMULATED_NOTE} Do not submit any of it. ` : '') +
      'DRAFT AT report written by Skysift, not sent anywhere. Review every entry, replace each "<...>" placeholder ' +
      '(group ids, TNS filter and instrument ids, a last non-detection or archive), remove the "_skysift_" keys, ' +
      'then submit it yourself through the TNS bulk-report API or web form.',
    ...(simulated ? { _skysift_simulated: true as const } : {}),
    _skysift_left_out: leftOut,
    at_report: reports,
  };
}
