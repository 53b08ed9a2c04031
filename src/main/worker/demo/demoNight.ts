/**
 * The first run: a simulated night written into the workspace, ingested, and scored with the
 * shipped default model, so the desk opens on something an astronomer recognises. Runs in the
 * compute worker like any job.
 */
import path from 'node:path';
import type { Workspace } from '../../catalog/workspace';
import { runIngest } from '../ingest/ingest';
import { modelLibrary, runScore, type EngineReporter } from '../model/engineJobs';
import { shippedModelDir } from '../../util/resources';
import { generateNight } from './generator';

export const DEMO_NIGHT_SIZE = 2000;
export const DEMO_NIGHT_SEED = 20261125;

export async function runDemoNight(
  ws: Workspace,
  params: { n?: number; seed?: number },
  report: EngineReporter,
  signal?: AbortSignal,
): Promise<{ cancelled: boolean; result: Record<string, unknown> }> {
  const n = params.n ?? DEMO_NIGHT_SIZE;
  const seed = params.seed ?? DEMO_NIGHT_SEED;
  const out = path.join(ws.dir, 'demo-stamps');
  await generateNight({
    out,
    n,
    seed,
    signal,
    onProgress: (done, total) => report.progress(done, total, 'simulating the demo night'),
  });
  if (signal?.aborted) return { cancelled: true, result: {} };
  const ingest = await runIngest(ws, out, {
    signal,
    onProgress: (d, t) => report.progress(d, t, 'ingesting the demo night'),
  });
  if (ingest.cancelled) return { cancelled: true, result: {} };
  const meta = await modelLibrary().adoptFolder(shippedModelDir());
  const scored = await runScore(ws, { version: meta.version, adopt: true }, report, signal);
  return {
    cancelled: scored.cancelled,
    result: { ...scored.result, ingested: ingest.added, rejected: ingest.rejected.length },
  };
}
