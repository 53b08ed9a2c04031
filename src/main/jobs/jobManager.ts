/**
 * Long work (ingest, training, scoring) runs in a separate Node process, never on main's event
 * loop: the UI stays responsive and a crash in native compute code cannot take main down.
 * Each job's record is persisted in the workspace, so a job that was running when the app died is
 * reported as interrupted on the next open (and can be resumed), not silently lost.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JobProgress, JobRecord } from '../../shared/contract';
import { JobRecordSchema } from '../../shared/contract';
import { JobParamsSchemas, type JobKind, type JobParamsIn } from '../../shared/jobs';
import { writeFileAtomic, writeFileAtomicSync } from '../util/atomicWrite';
import { builtFile } from '../util/builtPath';
import type { EventBus } from '../events';
import type { Workspace } from '../catalog/workspace';
import { FromWorkerSchema, type ToWorker } from './protocol';

interface Running {
  record: JobRecord;
  child: ChildProcess;
  startedMs: number;
  lastProgress: JobProgress | null;
}

export class JobManager {
  private running = new Map<string, Running>();

  constructor(
    private readonly events: EventBus,
    private readonly workspace: () => Workspace | null,
    private readonly hooks: {
      /** After a job ends, with the night it ran in (the app may have opened another since). */
      onFinished?: (
        record: JobRecord,
        result: Record<string, unknown>,
        ws: Workspace,
      ) => void | Promise<void>;
    } = {},
  ) {}

  private jobsDir(ws: Workspace) {
    return path.join(ws.dir, 'jobs');
  }

  /** Called when a workspace opens: jobs that were running when the app stopped are interrupted. */
  reconcile(ws: Workspace): JobRecord[] {
    const interrupted: JobRecord[] = [];
    for (const record of this.readRecords(ws)) {
      if ((record.state === 'running' || record.state === 'queued') && !this.running.has(record.id)) {
        const updated: JobRecord = {
          ...record,
          state: 'interrupted',
          endedAt: new Date().toISOString(),
          error: 'The app stopped while this job was running. Start it again to resume.',
        };
        writeFileAtomicSync(
          path.join(this.jobsDir(ws), `${record.id}.json`),
          JSON.stringify(updated, null, 2),
        );
        interrupted.push(updated);
      }
    }
    return interrupted;
  }

  private readRecords(ws: Workspace): JobRecord[] {
    const dir = this.jobsDir(ws);
    if (!existsSync(dir)) return [];
    const out: JobRecord[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      try {
        out.push(JobRecordSchema.parse(JSON.parse(readFileSync(path.join(dir, name), 'utf8'))));
      } catch {
        // A record damaged by a crash mid-write cannot exist (atomic writes); anything else is not ours.
      }
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  list(): JobRecord[] {
    const ws = this.workspace();
    return ws ? this.readRecords(ws) : [];
  }

  get(jobId: string): JobRecord | undefined {
    return this.list().find((r) => r.id === jobId);
  }

  isBusy(kind?: JobKind): boolean {
    return [...this.running.values()].some((r) => !kind || r.record.kind === kind);
  }

  async start<K extends JobKind>(kind: K, rawParams: JobParamsIn<K>, jobId?: string): Promise<string> {
    const ws = this.workspace();
    if (!ws) throw new Error('No workspace is open: open or create one first.');
    const id =
      jobId ?? `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    // The record holds the parameters with their defaults filled in: a restart runs exactly these.
    const record = JobRecordSchema.parse({
      id,
      kind,
      state: 'running',
      startedAt: new Date().toISOString(),
      endedAt: null,
      params: JobParamsSchemas[kind].parse(rawParams),
      report: null,
      error: null,
      result: {},
    });
    const params = record.params;
    await this.save(ws, record);
    const child = fork(builtFile('worker.js'), [], {
      // In Electron, process.execPath is the Electron binary: run it as plain Node for the worker.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const run: Running = { record, child, startedMs: Date.now(), lastProgress: null };
    this.running.set(id, run);
    child.on('message', (raw) => this.onMessage(ws, run, raw));
    child.on('exit', (code, signal) => {
      if (!this.running.has(id)) return;
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      void this.finish(ws, run, 'failed', null, `The compute worker ${reason} before finishing.`, {});
    });
    const start: ToWorker = { type: 'start', jobId: id, kind, workspace: ws.dir, params };
    child.send(start);
    this.emitProgress(run, 0, 0, 'starting');
    return id;
  }

  cancel(jobId: string): boolean {
    const run = this.running.get(jobId);
    if (!run) return false;
    const msg: ToWorker = { type: 'cancel' };
    run.child.send(msg);
    return true;
  }

  /** Stop every worker (app quit). Their records stay "running" on disk and read as interrupted later. */
  killAll(): void {
    for (const run of this.running.values()) run.child.kill('SIGKILL');
    this.running.clear();
  }

  private onMessage(ws: Workspace, run: Running, raw: unknown): void {
    const parsed = FromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      console.error(`[skysift] job ${run.record.id}: malformed message from worker ignored`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'progress') this.emitProgress(run, msg.done, msg.total, msg.message, msg.metrics);
    else if (msg.type === 'backend')
      this.events.emit('backendChanged', { name: msg.name, reason: msg.reason });
    else if (msg.type === 'error') void this.finish(ws, run, 'failed', null, msg.message, {});
    else void this.finish(ws, run, msg.cancelled ? 'cancelled' : 'done', msg.report, null, msg.result);
  }

  private emitProgress(
    run: Running,
    done: number,
    total: number,
    message: string,
    metrics?: Record<string, number | null>,
  ): void {
    const elapsed = (Date.now() - run.startedMs) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const progress: JobProgress = {
      jobId: run.record.id,
      kind: run.record.kind,
      state: 'running',
      done,
      total,
      rate,
      etaSeconds: rate > 0 && total >= done ? (total - done) / rate : null,
      message,
      metrics,
    };
    run.lastProgress = progress;
    this.events.emit('jobProgress', progress);
  }

  private async finish(
    ws: Workspace,
    run: Running,
    state: JobRecord['state'],
    report: JobRecord['report'],
    error: string | null,
    result: Record<string, unknown>,
  ): Promise<void> {
    if (!this.running.delete(run.record.id)) return;
    // The worker's result must be what this kind of job produces; anything else fails the job.
    const checked = JobRecordSchema.safeParse({
      ...run.record,
      state,
      report,
      error,
      result: state === 'done' ? result : {},
      endedAt: new Date().toISOString(),
    });
    const record: JobRecord = checked.success
      ? checked.data
      : {
          ...run.record,
          state: 'failed',
          report,
          error: `The compute worker's result was not valid for a ${run.record.kind} job (${checked.error.issues[0]?.message}).`,
          endedAt: new Date().toISOString(),
        };
    await this.save(ws, record);
    run.child.removeAllListeners('exit');
    if (run.child.connected) run.child.disconnect();
    ws.refresh();
    try {
      await this.hooks.onFinished?.(record, result, ws);
    } catch (e) {
      console.error(`[skysift] after job ${record.id}:`, e);
    }
    this.events.emit('jobFinished', record);
  }

  private async save(ws: Workspace, record: JobRecord): Promise<void> {
    await writeFileAtomic(path.join(this.jobsDir(ws), `${record.id}.json`), JSON.stringify(record, null, 2));
  }
}
