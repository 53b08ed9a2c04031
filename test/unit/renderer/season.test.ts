import { describe, expect, it } from 'vitest';
import type { NightSummary } from '../../../src/shared/contract';
import { seasonTally } from '../../../src/renderer/src/desk/tally/season';

const night = (dir: string, patch: Partial<NightSummary> = {}): NightSummary => ({
  dir,
  name: dir.split('/').pop()!,
  simulated: false,
  candidates: 1000,
  scored: 1000,
  scoredBy: 'v1',
  threshold: 0.5,
  flagged: 100,
  labels: { real: 3, bogus: 5, skip: 2 },
  secondsSpent: 20,
  lastOpenedAt: '2026-11-20T22:00:00.000Z',
  ...patch,
});

describe("the season's tally", () => {
  it('sums time saved over the nights: candidates not flagged, at the pace by hand', () => {
    const t = seasonTally(
      [night('/n/a'), night('/n/b', { candidates: 4000, scored: 4000, flagged: 400 })],
      null,
      '/n/b',
    );
    expect(t.candidates).toBe(5000);
    expect(t.flagged).toBe(500);
    expect(t.labelled).toBe(20);
    expect(t.hoursSaved).toBeCloseTo(((900 + 3600) * 0.5) / 3600, 12);
    expect(t.thisNight?.hoursSaved).toBeCloseTo((3600 * 0.5) / 3600, 12);
    expect(t.paceSource).toBe('seed');
    expect(t.measuredPace).toBeCloseTo(40 / 20, 12);
  });

  it("uses the astronomer's pace by hand when set", () => {
    const t = seasonTally([night('/n/a')], 2, '/n/a');
    expect(t.secondsPerStamp).toBe(2);
    expect(t.paceSource).toBe('set');
    expect(t.hoursSaved).toBeCloseTo((900 * 2) / 3600, 12);
  });

  it('counts no time saved on a night no model scored, but counts its candidates and labels', () => {
    const t = seasonTally(
      [night('/n/a'), night('/n/raw', { scored: 0, scoredBy: null, threshold: null, flagged: 0 })],
      null,
      '/n/raw',
    );
    expect(t.thisNight?.flagged).toBeNull();
    expect(t.thisNight?.hoursSaved).toBe(0);
    expect(t.candidates).toBe(2000);
    expect(t.scoredCandidates).toBe(1000);
    expect(t.labelled).toBe(20);
  });

  it("takes the open night's labels from the desk (some not yet in main's journal)", () => {
    const live = { dir: '/n/a', candidates: 1000, flagged: 120, labelled: 14, secondsSpent: 30 };
    const t = seasonTally([night('/n/a'), night('/n/b')], null, '/n/a', live);
    expect(t.thisNight).toMatchObject({ labelled: 14, flagged: 120, secondsSpent: 30 });
    expect(t.labelled).toBe(24);
    // A night main does not list yet (opened by another host) still counts.
    const t2 = seasonTally([night('/n/b')], null, '/n/a', live);
    expect(t2.nights.map((n) => n.name)).toEqual(['b', 'a']);
    expect(t2.thisNight?.labelled).toBe(14);
  });
});
