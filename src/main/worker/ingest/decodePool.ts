/**
 * Triplet decoding off the ingesting thread: a pool of worker threads (the bundle's
 * ingestDecoder.js, built from decodeWorker.ts) that read their files synchronously and decode
 * them, then hand each batch back as stamp records packed in one buffer (transferred, not copied).
 * The ingesting thread keeps the order, the catalog and the part files. Scoring uses the same
 * threads (one bundle entry) to decode packed stamps and preprocess them into model rows
 * (model/scoreRows.ts).
 *
 * Messages stay inside one process and one bundle, between our own threads, as structured clones:
 * they are not validated with zod like the process-boundary ones, which would cost more per
 * triplet than the transfer itself.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RowsJob } from '../model/scoreRows';
import type { PackedTriplet, TripletFiles } from '../../stamps/sources/readImageFile';

/** The worker entry's name in the bundle (electron.vite.config.ts main input `ingestDecoder`). */
export const DECODER_FILE = 'ingestDecoder.js';

export interface DecodeRequest {
  id: number;
  tasks: TripletFiles[];
  /** A buffer of an earlier reply that is written and done with, handed back (transferred) to be written over. */
  into?: ArrayBuffer;
}

/** Scoring: decode and preprocess one run of packed records into model rows. */
export interface RowsRequest {
  id: number;
  rows: RowsJob;
  /** A buffer of rows already scored, handed back (transferred) to be written over. */
  into?: Float32Array;
}

export type TaskReply = PackedTriplet | { error: string };

export interface DecodeReply {
  id: number;
  results: TaskReply[];
  /** The buffer every result's packed record is a view of (transferred). */
  buffer: ArrayBuffer;
}

/** The rows (their buffer transferred), or why the whole job failed. */
export interface RowsReply {
  id: number;
  rows?: Float32Array;
  error?: string;
}

/** The built decoder beside the running bundle, or null when running from the TS sources (tests). */
export function bundledDecoder(): string | null {
  if (/\.[cm]?tsx?$/.test(__filename)) return null;
  // Entry files sit in out/main; shared code may run from out/main/chunks.
  for (const dir of [__dirname, path.dirname(__dirname)]) {
    const file = path.join(dir, DECODER_FILE);
    if (existsSync(file)) return file;
  }
  return null;
}

export function defaultDecoderThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

interface Pending {
  resolve: (r: DecodeReply | RowsReply) => void;
  reject: (e: Error) => void;
  worker: Worker;
}

export class DecodePool {
  private readonly workers: Worker[];
  private readonly load = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(file: string, threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(file);
      this.load.set(w, 0);
      w.on('message', (reply: DecodeReply | RowsReply) => this.settle(reply));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => this.fail(new Error(`decoder thread exited with code ${code}`)));
      return w;
    });
  }

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Decode a batch on the least busy thread; rejects if that thread dies (the caller falls back).
   * Every packed record of the reply is a view of its `buffer`. `into`: the buffer of an earlier
   * reply whose records are written and no longer read, moved to the thread (no longer usable
   * here) to hold this batch's records: a fresh buffer per batch costs the thread its page faults,
   * and this thread the garbage collections that external memory received brings.
   */
  async decode(tasks: TripletFiles[], into?: ArrayBuffer): Promise<DecodeReply> {
    return (await this.post(
      (id) => ({ id, tasks, into }) satisfies DecodeRequest,
      into ? [into] : [],
    )) as DecodeReply;
  }

  /**
   * Model rows of one run of packed records, computed on the least busy thread. Rejects with the
   * job's error (a damaged part file) or when the thread dies. `into`: a buffer the caller is done
   * with, moved to the thread (no longer usable here) to hold the rows if it is large enough: a
   * fresh buffer per batch (8 MB) costs the thread its page faults (a 20,000-stamp night's first
   * scoring went from 4,368 to 5,004-5,309 stamps/s with buffers handed back).
   */
  async rows(job: RowsJob, into?: Float32Array): Promise<Float32Array> {
    const reply = (await this.post(
      (id) => ({ id, rows: job, into }) satisfies RowsRequest,
      into ? [into.buffer as ArrayBuffer] : [],
    )) as RowsReply;
    if (!reply.rows) throw new Error(reply.error ?? `no rows for ${job.file}`);
    return reply.rows;
  }

  private post(
    message: (id: number) => DecodeRequest | RowsRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<DecodeReply | RowsReply> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
    const id = this.nextId++;
    this.load.set(worker, this.load.get(worker)! + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage(message(id), transfer);
    });
  }

  private settle(reply: DecodeReply | RowsReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    this.load.set(p.worker, this.load.get(p.worker)! - 1);
    p.resolve(reply);
  }

  /** One dead thread fails the pool: every batch in flight goes back to in-process decoding. */
  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = new Error(`decoder thread failed: ${e.message}`);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new Error('decoder pool closed');
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
