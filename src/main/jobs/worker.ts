/**
 * The compute worker: a Node process started by the JobManager for one job. It never shares an
 * event loop with the UI's process, reports progress as it goes, and stops at the next safe point
 * when cancelled. It is the one way into src/main/worker (the engine: tfjs, ONNX Runtime,
 * training, scoring, the demo simulator, ingest decoding): nothing the main process loads imports
 * that folder (eslint.config.mjs; test/unit/architecture/mainBundle.test.ts checks the bundles).
 */
import { Worker } from 'node:worker_threads';
import { Workspace } from '../catalog/workspace';
import { runIngest } from '../worker/ingest/ingest';
import { runScore, runTrain, type EngineReporter } from '../worker/model/engineJobs';
import { runDemoNight } from '../worker/demo/demoNight';
import { ToWorkerSchema, type FromWorker, type WorkerStart } from './protocol';
import { IngestJobParamsSchema } from '../../shared/jobs';

const abort = new AbortController();

function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, undefined, () => resolve());
  });
}

/** Progress at most every 100 ms: enough for a live bar, cheap for 100k files. */
function throttledProgress() {
  let last = 0;
  return (done: number, total: number, message: string, metrics?: Record<string, number | null>) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    void send({ type: 'progress', done, total, message, metrics });
  };
}

async function run(start: WorkerStart): Promise<void> {
  const ws = await Workspace.open(start.workspace);
  switch (start.kind) {
    case 'ingest': {
      const { folder } = IngestJobParamsSchema.parse(start.params);
      const report = await runIngest(ws, folder, { onProgress: throttledProgress(), signal: abort.signal });
      await send({ type: 'done', cancelled: report.cancelled, report, result: {} });
      return;
    }
    case 'train':
    case 'score':
    case 'demo': {
      const progress = throttledProgress();
      let tfjsBackend = '';
      const reporter: EngineReporter = {
        backend: (choice) => {
          tfjsBackend = choice.name;
          void send({ type: 'backend', name: choice.name, reason: choice.reason });
        },
        // Scoring through ONNX Runtime is not the tfjs backend: say both, so the status bar is true.
        inference: (name, description) => {
          if (name === 'onnxruntime') {
            void send({
              type: 'backend',
              name: `${tfjsBackend} + onnxruntime (scoring)`,
              reason: description,
            });
          }
        },
        progress: (done, total, message, metrics) => progress(done, total, message, metrics),
      };
      const run = start.kind === 'train' ? runTrain : start.kind === 'score' ? runScore : runDemoNight;
      const { cancelled, result } = await run(ws, start.params, reporter, abort.signal);
      await send({ type: 'done', cancelled, report: null, result });
      return;
    }
  }
}

// The app (or host) that started this worker is gone: killed with SIGKILL, or crashed. Stop now,
// instead of going on writing a workspace that a restarted app already reports as interrupted
// (and may be ingesting into again). Every write here is atomic, so stopping anywhere is safe.
// 'disconnect' only arrives when the event loop turns, and a training step can hold it for tens
// of seconds (an orphan trained on for 40 s here), so a watchdog thread also checks the parent
// twice a second. SIGKILL to itself: no exit handler or native teardown can delay it.
let finishing = false;
process.on('disconnect', () => {
  if (!finishing) process.kill(process.pid, 'SIGKILL');
});
if (process.send) {
  const watchdog = new Worker(
    `const { workerData: w } = require('node:worker_threads');
     setInterval(() => { if (process.ppid !== w.parent) process.kill(w.self, 'SIGKILL'); }, 500);`,
    { eval: true, workerData: { parent: process.ppid, self: process.pid } },
  );
  watchdog.unref();
}

process.on('message', (raw) => {
  const parsed = ToWorkerSchema.safeParse(raw);
  if (!parsed.success) return;
  const msg = parsed.data;
  if (msg.type === 'cancel') abort.abort();
  else
    run(msg)
      .catch(async (e) => send({ type: 'error', message: (e as Error).message }))
      .finally(() => {
        finishing = true;
        process.disconnect?.();
      });
});
