/**
 * The Night panel's seeing note comes from the night's summary: the resampling it reports must be
 * the one the version that scored the night applies. Ours resample a night of fine pixels; braai
 * (imported from ../shared) takes ZTF's stamps as they come, and the note must not say otherwise.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { seeingFile, type SeeingRecord } from '../../../src/main/catalog/seeingFile';
import { Services } from '../../../src/main/services';
import { HAVE_SHARED, SHARED_MODELS } from '../helpers/shared';

describe.skipIf(!HAVE_SHARED)('the night summary says the resampling of the model that scored it', () => {
  it('x0.5 for our models, as they come for braai', async () => {
    const services = new Services({ host: 'browser', version: 'test' });
    const braai = await services.models.import(path.join(SHARED_MODELS, 'braai-d6_m7'), 'braai-seeing');
    // The shipped default, as opening a night puts it in the home.
    const ours = await services.models.ensureDefault();
    const ws = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-seeing-summary-')), {
      create: true,
    });
    const record: SeeingRecord = {
      format: 2,
      fwhmPx: 4.8,
      sampled: 40,
      measured: 40,
      templateFwhmPx: 3.1,
      searchFwhmPx: 4.8,
      templateBlur: 1.6,
      zoom: 0.5,
      size: 40,
    };
    mkdirSync(path.dirname(seeingFile(ws.dir)), { recursive: true });
    writeFileSync(seeingFile(ws.dir), JSON.stringify(record));
    const said = async (version: string | null) => {
      await ws.update({ activeModel: version });
      return services.state.summary(ws).seeing;
    };
    expect(await said(ours)).toEqual({ fwhmPx: 4.8, zoom: 0.5, templateBlur: 1.6 });
    expect(await said(braai.version)).toEqual({ fwhmPx: 4.8, zoom: 1 });
    // Not scored yet, or by a version no longer in the library: the night's own record.
    expect(await said(null)).toEqual({ fwhmPx: 4.8, zoom: 0.5, templateBlur: 1.6 });
    expect(await said('gone-20260101')).toEqual({ fwhmPx: 4.8, zoom: 0.5, templateBlur: 1.6 });
  });
});
