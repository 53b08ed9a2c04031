import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { exportConfirmed } from '../../../src/main/export/exportService';
import { mjdToUtcString } from '../../../src/main/export/skyFormat';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { label, tmpDir } from './fixtures';

/**
 * SN 2021rhu (ZTF21abiuvdk): its first alert is candid 1642404680815015001 at jd 2459396.9046875,
 * r = 15.66; the packet's prv_candidates hold the non-detections before it, the last of them
 * r > 19.93 at jd 2459393.9556019 (values read from the packets with avsc, see objectHistory.test).
 */
const FIRST_MJD = 2459396.9046875 - 2400000.5;
const LAST_LIMIT_MJD = 2459393.9556019 - 2400000.5;

describe.skipIf(!HAVE_SHARED)('exports of SN 2021rhu carry its light curve', () => {
  let ws: Workspace;
  let last: string;
  beforeAll(async () => {
    ws = await Workspace.open(path.join(tmpDir(), 'rhu'), { create: true, name: 'rhu' });
    await runIngest(ws, sharedPath('alerts', 'ztf-sn2021rhu'), { decoder: null });
    last = [...ws.list()].sort((a, b) => b.meta.mjd! - a.meta.mjd!)[0].id;
  });

  it('the TNS draft takes the discovery and the last non-detection from the history', async () => {
    const res = await exportConfirmed(ws, { labels: [label(ws, last)], format: 'tns', folder: tmpDir() });
    const r = JSON.parse(readFileSync(res.file, 'utf8')).at_report['0'];
    expect(r.internal_name).toBe('ZTF21abiuvdk');
    expect(r.discovery_datetime).toBe(mjdToUtcString(FIRST_MJD));
    const phot = r.photometry.photometry_group['0'];
    expect(phot.obsdate).toBe(mjdToUtcString(FIRST_MJD));
    expect(Number(phot.flux)).toBeCloseTo(15.6623, 3);
    expect(phot.filter_value).toBe('<TNS filter id for band r>');
    // Stored history times keep 1e-6 d (0.09 s): enough for TNS, which asks for the date and time.
    expect(r.non_detection.obsdate.slice(0, 20)).toBe(mjdToUtcString(LAST_LIMIT_MJD).slice(0, 20));
    expect(r.non_detection).toMatchObject({
      filter_value: '<TNS filter id for band r>',
      archiveid: '',
    });
    expect(Number(r.non_detection.limiting_flux)).toBeCloseTo(19.9312, 3);
    expect(r.remarks).toContain(`candidate ${last}; discovery = first detection of the object`);
  });

  it('CSV and JSON carry first detection, detections count and peak magnitude', async () => {
    const json = JSON.parse(
      readFileSync(
        (await exportConfirmed(ws, { labels: [label(ws, last)], format: 'json', folder: tmpDir() })).file,
        'utf8',
      ),
    );
    const row = json.rows[0];
    expect(row.firstDetection).toBeCloseTo(FIRST_MJD, 6);
    expect(row.detections).toBeGreaterThanOrEqual(34);
    // The peak of SN 2021rhu in these packets: g = 12.43 (jd 2459411.915).
    expect(row.peakMag).toBeCloseTo(12.43, 2);
    const csv = readFileSync(
      (await exportConfirmed(ws, { labels: [label(ws, last)], format: 'csv', folder: tmpDir() })).file,
      'utf8',
    ).split('\r\n');
    const head = csv[0].split(',');
    const cells = csv[1].split(',');
    expect(Number(cells[head.indexOf('detections')])).toBe(row.detections);
    expect(Number(cells[head.indexOf('peakMag')])).toBe(row.peakMag);
  });
});
