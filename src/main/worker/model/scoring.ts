/**
 * Scoring a whole workspace with one model version, as a pipeline: decoder threads (the ingest
 * decoder pool, stamps/decodePool.ts) read runs of packed stamps and preprocess them into model
 * rows, which come back as transferred buffers (no copy), and the inference engine scores them in
 * catalog order. A bounded window of batches in flight keeps memory flat whatever the night's size. Rows of whole catalog parts are cached in the workspace
 * (scoreCache.ts), so a night scored again skips decoding and preprocessing.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { workspaceLayout } from '../../catalog/layout';
import type { StampRef } from '../../catalog/catalogIndex';
import type { Workspace } from '../../catalog/workspace';
import { DecodePool, bundledDecoder, defaultDecoderThreads } from '../ingest/decodePool';
import type { ModelSpec } from './architectures/spec';
import { stampInputLength } from './preprocess';
import { RowsCache, type CachedPart, type PartWriter, type RowsCacheOptions } from './scoreCache';
import { computeRows, type RowsJob } from './scoreRows';
import { nightScale } from './seeing';
import { nightScaleOf, type NightScale } from './injection/transform';

export interface ScoreOptions {
  /** Score only these candidates (default: every candidate of the night). */
  ids?: readonly string[];
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Another inference engine for the batches (e.g. ONNX Runtime, see onnx/ortRuntime.ts): gets a
   * batch buffer ([N, H, W, C], only the first n stamps valid) and returns n scores. Default: tfjs.
   */
  predict?: (batch: Float32Array, n: number) => Promise<ArrayLike<number>>;
  /**
   * The decoder thread entry (out/main/ingestDecoder.js); by default the one beside the running
   * bundle. null, or none found (running from the TS sources), preprocesses on this thread.
   */
  decoder?: string | null;
  /** Decoder threads (default: one per core, and none for a night under minPoolStamps of them). */
  threads?: number;
  /** Batches requested ahead of the one being scored (default: 1 per decoder thread, 1 in-process). */
  ahead?: number;
  /** See runOrdered (default: 'when-empty' with decoder threads, 'eager' in-process). */
  refill?: 'eager' | 'when-empty';
  /** The workspace's preprocessed-rows cache (default on); false: neither read nor written. */
  cache?: boolean | RowsCacheOptions;
  /** Where cache notes go (a rebuilt or skipped part); default console.warn. */
  log?: (line: string) => void;
  /**
   * The night's template blur and resampling to the models' seeing (seeing.ts; a number: a zoom
   * alone); default: measured (nightScale).
   */
  scale?: NightScale | number;
}

export interface ScoreResult {
  scores: Map<string, number>;
  cancelled: boolean;
  /** Batches whose rows came from the cache, were computed, and how many threads computed them. */
  stats: { cachedRows: number; computedRows: number; threads: number };
}

/**
 * Below this many candidates, starting `threads` decoder threads costs more than preprocessing them
 * on the scoring thread. Threads save (1 - 1/threads) of the preprocessing and cost a start-up of
 * about 2,000 stamps' preprocessing (their module load): on 2 cores, one night scored both ways
 * tied at ~4,000 candidates (1,000: in-process 3,550-4,280 stamps/s against threads 2,650-3,290;
 * 8,000: threads 4,980-5,180 against 4,420-4,450). More threads are this model, not a measurement.
 */
export function minPoolStamps(threads: number): number {
  return threads > 1 ? Math.round(2000 / (1 - 1 / threads)) : Infinity;
}

/**
 * Runs `start` on jobs in order with at most `ahead` started and not yet consumed, and `consume` on
 * their results in the same order. `consume` is called as soon as the next result is ready and the
 * window is refilled right after it starts (before its promise settles), so its asynchronous part
 * (inference on ONNX Runtime's threads) overlaps the next jobs. Returns false when cancelled.
 */
export async function runOrdered<J, R>(
  jobs: Iterable<J>,
  opts: {
    ahead: number;
    start: (job: J) => Promise<R>;
    consume: (result: R, job: J) => Promise<void> | void;
    signal?: AbortSignal;
    /**
     * 'eager' (default): a job starts as soon as one is consumed, overlapping the consumer.
     * 'when-empty': the next `ahead` jobs start together once every started one is consumed, so
     * that producers and consumer take turns on the cores instead of competing for them.
     */
    refill?: 'eager' | 'when-empty';
  },
): Promise<boolean> {
  if (!(opts.ahead >= 1)) throw new RangeError(`runOrdered: ahead must be >= 1 (got ${opts.ahead})`);
  const it = jobs[Symbol.iterator]();
  const queue: { job: J; result: Promise<R> }[] = [];
  const fill = () => {
    while (queue.length < opts.ahead) {
      const next = it.next();
      if (next.done) break;
      const result = opts.start(next.value);
      result.catch(() => {}); // awaited in order below; this only keeps it from counting as unhandled
      queue.push({ job: next.value, result });
    }
  };
  fill();
  while (queue.length > 0) {
    if (opts.signal?.aborted) return false;
    const { job, result } = queue.shift()!;
    const consumed = opts.consume(await result, job);
    if (opts.refill !== 'when-empty') fill();
    await consumed;
    if (queue.length === 0) fill();
  }
  return true;
}

interface Job extends RowsJob {
  part: number;
  ids: string[];
  /** Row index of the first record within its part, when the whole part is being scored. */
  from: number;
  /** The part's cache state, shared by the part's jobs (whole parts only). */
  cache: PartCache | null;
  last: boolean;
}

interface PartCache {
  part: number;
  entries: StampRef[];
  state?: { hit: CachedPart } | { writer: PartWriter | null };
}

/**
 * Batches of at most `batchSize` records, never across parts, in catalog (part, offset) order,
 * made as they are asked for: only ids and stamp locations are read (the workspace's compact
 * index), and only the current part's jobs exist at a time. Each part's cache state goes to
 * `parts` (for the clean-up after a cancel or an error).
 */
function* planJobs(
  ws: Workspace,
  spec: ModelSpec,
  scale: NightScale,
  ids: readonly string[] | undefined,
  batchSize: number,
  cache: boolean,
  parts: PartCache[],
): Generator<Job> {
  for (const { part, refs: entries } of ws.stampRefsByPart(ids)) {
    const whole = cache && entries.length === ws.countInPart(part);
    const pc: PartCache | null = whole ? { part, entries } : null;
    if (pc) parts.push(pc);
    const file = path.join(workspaceLayout(ws.dir).stamps, `part-${String(part).padStart(6, '0')}.bin`);
    for (let k = 0; k < entries.length; k += batchSize) {
      const batch = entries.slice(k, k + batchSize);
      yield {
        file,
        spec,
        scale,
        spans: batch.map((e) => [e.stamp.offset, e.stamp.length]),
        part,
        ids: batch.map((e) => e.id),
        from: k,
        cache: pc,
        last: k + batchSize >= entries.length,
      };
    }
  }
}

export async function scoreWorkspace(
  ws: Workspace,
  model: tfl.LayersModel,
  spec: ModelSpec,
  opts: ScoreOptions = {},
): Promise<ScoreResult> {
  const batchSize = opts.batchSize ?? 256;
  const rowLength = stampInputLength(spec);
  const [h, w] = spec.inputSize;
  let wanted = ws.size;
  if (opts.ids) {
    wanted = 0;
    for (const id of opts.ids) if (ws.has(id)) wanted++;
  }
  const total = opts.ids?.length ?? ws.size;
  const scale = opts.scale === undefined ? await nightScale(ws, spec) : nightScaleOf(opts.scale);
  const useCache = opts.cache !== false;
  const cache = useCache
    ? new RowsCache(ws.dir, spec, {
        log: opts.log,
        ...(typeof opts.cache === 'object' ? opts.cache : {}),
        scale,
      })
    : null;
  cache?.prune((part) => ws.countInPart(part) > 0);
  const parts: PartCache[] = [];
  const jobs = planJobs(ws, spec, scale, opts.ids, batchSize, useCache, parts);

  const decoder = opts.decoder === undefined ? bundledDecoder() : opts.decoder;
  const threads = opts.threads ?? defaultDecoderThreads();
  // Threads asked for by number are started whatever the size (tests, benchmarks).
  const threaded =
    !!decoder && threads > 0 && (opts.threads !== undefined || wanted >= minPoolStamps(threads));
  // Started at the first batch that needs computing: a night read whole from the cache needs none.
  let pool: DecodePool | null = null;
  let poolDead = false;
  const getPool = () => {
    if (threaded && !pool && !poolDead) pool = new DecodePool(decoder!, threads);
    return pool;
  };
  // Decoder threads and the engine's threads take turns (a phase of one batch per decoder thread,
  // then inference on them) rather than overlap: ONNX Runtime splits each op across every core and
  // waits for its slowest thread, so a decoder thread competing for a core stalls the whole op
  // (measured on 2 cores: inference inside an overlapped pipeline ran at about half its own rate).
  // On this thread, preprocessing overlaps the engine one batch ahead, as it always did.
  const ahead = opts.ahead ?? (threaded ? threads : 1);
  const refill = opts.refill ?? (threaded ? 'when-empty' : 'eager');
  const stats = { cachedRows: 0, computedRows: 0, threads: threaded ? threads : 0 };
  const log = opts.log ?? ((line: string) => console.warn(line));

  const predict =
    opts.predict ??
    (async (batch: Float32Array, n: number) => {
      const x = tfc.tensor4d(batch.subarray(0, n * rowLength), [n, h, w, spec.channels.length]);
      const y = model.predict(x) as tfc.Tensor;
      try {
        return await y.data();
      } finally {
        tfc.dispose([x, y]);
      }
    });

  // Buffers of computed rows already scored, written over by the next batches instead of fresh
  // ones; `computed` tells them from rows read out of the cache.
  const spare: Float32Array[] = [];
  const computed = new WeakSet<ArrayBuffer>();
  const own = (rows: Float32Array) => {
    computed.add(rows.buffer as ArrayBuffer);
    return rows;
  };
  const start = async (job: Job): Promise<Float32Array> => {
    const pc = job.cache;
    if (pc && !pc.state) pc.state = cache!.openPart(pc.part, pc.entries);
    if (pc?.state && 'hit' in pc.state) {
      try {
        const rows = pc.state.hit.read(job.from, job.ids.length);
        stats.cachedRows += job.ids.length;
        return rows;
      } catch (e) {
        // Changed under us after it was validated: compute the rest of the part instead.
        log(`score cache ${pc.state.hit.file}: ${(e as Error).message}; computing its rows instead`);
        pc.state.hit.close();
        pc.state = { writer: null };
      }
    }
    stats.computedRows += job.ids.length;
    const threads = getPool();
    if (threads) {
      try {
        // Only what the thread needs crosses: the job also holds this thread's cache state.
        return own(
          await threads.rows(
            { file: job.file, spans: job.spans, spec: job.spec, scale: job.scale },
            spare.pop(),
          ),
        );
      } catch (e) {
        // A damaged part fails the same way here; a dead thread only costs speed: compute in-process.
        if (!/decoder (thread failed|pool closed)/.test((e as Error).message)) throw e;
        if (!poolDead) log(`scoring: ${(e as Error).message}; preprocessing on the scoring thread instead`);
        poolDead = true;
      }
    }
    return own(computeRows(job, spare.pop()));
  };

  const scores = new Map<string, number>();
  const consume = async (rows: Float32Array, job: Job) => {
    const values = predict(rows, job.ids.length);
    // While the engine runs: the rows go to the part's cache file (packed into a buffer of its own).
    const state = job.cache?.state;
    if (state && 'writer' in state && state.writer) {
      // Waits for the part's previous write only: one batch's rows at most wait on the disk.
      await state.writer.append(rows);
      if (job.last) await state.writer.finish();
    }
    if (job.last && state && 'hit' in state) state.hit.close();
    // A part done with is dropped, so the refs of parts already scored are not kept to the end.
    if (job.last && job.cache) parts.splice(parts.indexOf(job.cache), 1);
    const got = await values;
    // Scored (and packed for the cache): the buffer is free for another batch's rows.
    if (computed.has(rows.buffer as ArrayBuffer)) spare.push(new Float32Array(rows.buffer));
    job.ids.forEach((id, i) => scores.set(id, got[i]));
    opts.onProgress?.(scores.size, total);
  };

  let completed = false;
  try {
    completed = await runOrdered(jobs, { ahead, start, consume, signal: opts.signal, refill });
  } finally {
    await (pool as DecodePool | null)?.close();
    // Parts not finished (cancel, error): their partial files go, their open caches close.
    for (const pc of parts) {
      const state = pc.state;
      if (!state) continue;
      if ('writer' in state && state.writer && !state.writer.complete) await state.writer.abandon();
      if ('hit' in state && !completed) state.hit.close();
    }
  }
  return { scores, cancelled: !completed, stats };
}
