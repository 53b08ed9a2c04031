/**
 * A draft AT (astronomical transient) report for the Transient Name Server, in the JSON shape of
 * TNS's bulk-report API ({"at_report": {"0": {...}, "1": {...}}}). Skysift never sends it: the
 * astronomer reviews it, fills in what only they know (group ids, TNS filter and instrument ids,
 * anything the light curve does not hold), and submits it with TNS's own tools. Values we cannot know are left as
 * "<...>" placeholders, which TNS rejects, so a draft cannot be submitted unreviewed by accident.
 *
 * TNS codes used: at_type "1" = PSN (possible supernova); flux_units "1" = AB mag.
 */
import type { LightCurvePoint } from '../../shared/context';
import type { TnsDraftOptions } from '../../shared/labels';
import { ObjectIndex } from '../catalog/objectHistory';
import type { Workspace } from '../catalog/workspace';
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

/** What TNS asks of the history: the first detection (the discovery) and the last limit before it. */
export interface TnsHistory {
  discovery: LightCurvePoint;
  lastNonDetection: LightCurvePoint | null;
}

/** The discovery and last non-detection of each row's object, from its light curve. */
export function tnsHistory(ws: Workspace, rows: readonly ConfirmedRow[]): Map<string, TnsHistory> {
  const objects = new ObjectIndex(ws);
  const out = new Map<string, TnsHistory>();
  for (const row of rows) {
    if (!objects.has(row.id)) continue;
    const curve = objects.lightCurve(row.id);
    // A negative difference is the template fading, not the transient appearing.
    const discovery = curve.find((p) => p.kind === 'detection' && !p.negative && p.mag !== null);
    if (!discovery) continue;
    const before = curve.filter((p) => p.kind === 'limit' && p.time < discovery.time);
    out.set(row.id, { discovery, lastNonDetection: before[before.length - 1] ?? null });
  }
  return out;
}

function nonDetection(last: LightCurvePoint | null, survey: string) {
  const none = {
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
  };
  if (!last || last.limit === null) return none;
  return {
    ...none,
    obsdate: mjdToUtcString(last.time),
    limiting_flux: String(last.limit),
    filter_value: placeholder(`TNS filter id for band ${last.band}`),
    instrument_value: placeholder(`TNS instrument id (${survey})`),
    comments: `Last non-detection before the discovery in the ${survey} packets' history, band ${last.band}.`,
    archiveid: '',
    archival_remarks: '',
  };
}

function reportFor(
  labelled: ConfirmedRow & { ra: number; dec: number; mjd: number },
  opts: TnsDraftOptions,
  simulated: boolean,
  history: TnsHistory | undefined,
) {
  // The discovery is the object's first detection, which may be an earlier packet than the one labelled.
  const d = history?.discovery;
  const row = d
    ? {
        ...labelled,
        mjd: d.time,
        band: d.band,
        mag: d.mag,
        magErr: d.magErr,
        exptime: d.candidateId === labelled.id ? labelled.exptime : null,
      }
    : labelled;
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
      `${row.subclass ? ` (sub-class: ${row.subclass})` : ''}; ${scoreText}; ${survey} candidate ${row.id}` +
      `${d && d.time !== labelled.mjd ? `; discovery = first detection of the object at MJD ${d.time}` : ''}.`,
    non_detection: nonDetection(history?.lastNonDetection ?? null, survey),
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
  night: { simulated?: boolean; history?: ReadonlyMap<string, TnsHistory> } = {},
): TnsDraft {
  const simulated = night.simulated === true;
  const history = night.history ?? new Map<string, TnsHistory>();
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
        history.get(row.id),
      );
  }
  return {
    _skysift_note:
      (simulated ? `${SIMULATED_NOTE} Do not submit any of it. ` : '') +
      'DRAFT AT report written by Skysift, not sent anywhere. Review every entry, replace each "<...>" placeholder ' +
      '(group ids, TNS filter and instrument ids, a last non-detection or archive where the history has none), remove the "_skysift_" keys, ' +
      'then submit it yourself through the TNS bulk-report API or web form.',
    ...(simulated ? { _skysift_simulated: true as const } : {}),
    _skysift_left_out: leftOut,
    at_report: reports,
  };
}
