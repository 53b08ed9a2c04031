import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportConfirmed } from '../../../src/main/export/exportService';
import { decToSexagesimal, mjdToUtcString, raToSexagesimal } from '../../../src/main/export/skyFormat';
import { label, makeWorkspace, tmpDir } from './fixtures';

describe('times and coordinates for reports', () => {
  it('converts MJD to UTC date-time', () => {
    expect(mjdToUtcString(59000.5)).toBe('2020-05-31 12:00:00.000');
    expect(mjdToUtcString(51544)).toBe('2000-01-01 00:00:00.000');
    expect(mjdToUtcString(40587)).toBe('1970-01-01 00:00:00.000');
    expect(mjdToUtcString(60235.6760417)).toBe('2023-10-18 16:13:30.003');
    expect(() => mjdToUtcString(NaN)).toThrow(/MJD/);
  });

  it('formats RA and Dec as sexagesimal, carrying rounding into the next unit', () => {
    expect(raToSexagesimal(0)).toBe('00:00:00.000');
    expect(raToSexagesimal(284.1196294)).toBe('18:56:28.711');
    expect(raToSexagesimal(15)).toBe('01:00:00.000');
    expect(raToSexagesimal(359.9999999999)).toBe('00:00:00.000');
    expect(raToSexagesimal(-15)).toBe('23:00:00.000');
    expect(raToSexagesimal(14.99999999)).toBe('01:00:00.000');
    expect(decToSexagesimal(54.1205048)).toBe('+54:07:13.82');
    expect(decToSexagesimal(-0.5)).toBe('-00:30:00.00');
    expect(decToSexagesimal(-19.6470455)).toBe('-19:38:49.36');
    expect(decToSexagesimal(-90)).toBe('-90:00:00.00');
    expect(decToSexagesimal(29.999999999)).toBe('+30:00:00.00');
    expect(() => decToSexagesimal(91)).toThrow(/declination/);
  });
});

describe('the TNS draft', () => {
  it('is a bulk AT report with what we know filled in and placeholders for the rest', async () => {
    const ws = await makeWorkspace();
    const labels = [
      label(ws, 'c1', { subclass: 'sn', by: 'astro' }),
      label(ws, 'c4'),
      label(ws, 'c2', { label: 'bogus' }),
    ];
    const result = await exportConfirmed(
      ws,
      { labels, format: 'tns', folder: tmpDir() },
      new Date('2024-03-02T08:00:00Z'),
    );
    expect(result.file).toMatch(/skysift-tns-draft-test-night-20240302T080000Z\.json$/);
    expect(result.rows).toBe(1);
    const draft = JSON.parse(readFileSync(result.file, 'utf8'));
    expect(draft._skysift_note).toMatch(/DRAFT.*not sent.*placeholder/s);
    expect(draft._skysift_left_out).toEqual([{ id: 'c4', reason: 'no RA/Dec in the catalog' }]);
    expect(Object.keys(draft.at_report)).toEqual(['0']);
    const r = draft.at_report['0'];
    expect(r.ra).toEqual({ value: '18:56:28.711', error: '', units: 'arcsec' });
    expect(r.dec).toEqual({ value: '+54:07:13.82', error: '', units: 'arcsec' });
    expect(r.discovery_datetime).toBe('2020-05-31 12:00:00.000');
    expect(r.at_type).toBe('1');
    expect(r.internal_name).toBe('ZTF18abfcjtr');
    expect(r.reporting_group_id).toMatch(/^<your TNS group id>$/);
    expect(r.reporter).toMatch(/^<.*>$/);
    expect(r.remarks).toMatch(/^DRAFT from Skysift.*astro.*sub-class: sn.*0\.970 \(v1\)/);
    const phot = r.photometry.photometry_group['0'];
    expect(phot).toMatchObject({
      obsdate: '2020-05-31 12:00:00.000',
      flux: '19.17',
      flux_error: '0.08',
      flux_units: '1',
      exptime: '30',
      limiting_flux: '',
    });
    expect(phot.filter_value).toMatch(/^<TNS filter id for band g>$/);
    expect(r.non_detection.archiveid).toMatch(/^<.*>$/);
  });

  it('fills in reporter and group ids when given', async () => {
    const ws = await makeWorkspace();
    const result = await exportConfirmed(ws, {
      labels: [label(ws, 'c1')],
      format: 'tns',
      folder: tmpDir(),
      tns: { reporter: 'A. Astronomer (Obs)', reportingGroupId: '42', discoveryDataSourceId: '48' },
    });
    const r = JSON.parse(readFileSync(result.file, 'utf8')).at_report['0'];
    expect(r).toMatchObject({
      reporter: 'A. Astronomer (Obs)',
      reporting_group_id: '42',
      discovery_data_source_id: '48',
    });
  });
});
