/**
 * The CLI as a client of the app: createApp in this process, i.e. the same createApi and service
 * code as the two hosts over the same home (its own instance, not a connection to a running app),
 * so a night ingested here is scored the same way, labels land in the same journal, and jobs run
 * in the same compute workers. Jobs are waited for through the contract's events.
 */
import { createApp, VERSION, type Api, type App } from '../main/api';
import type { CallArgs, CallName, CallResult, JobProgress, JobRecord } from '../shared/contract';
import { progressBar } from './progressBar';

export { VERSION };

export interface Client {
  call<N extends CallName>(name: N, args: CallArgs<N>): Promise<CallResult<N>>;
  /** Wait for a job to end, with a progress bar; throws when it failed. */
  wait(jobId: string, label: string): Promise<JobRecord>;
  /** Wait for the scoring job that an ingest or an open started, if any: the night is then scored. */
  waitForScoring(): Promise<JobRecord | null>;
  stop(): void;
}

export function openClient(home?: string): Client {
  const app: App = createApp({ host: 'cli', version: VERSION, home });
  const api: Api = app.api;
  const finished = new Map<string, JobRecord>();
  const waiters = new Map<string, (r: JobRecord) => void>();
  let onProgress: ((p: JobProgress) => void) | null = null;
  api.onEvent((event, payload) => {
    if (event === 'jobFinished') {
      const r = payload as JobRecord;
      finished.set(r.id, r);
      waiters.get(r.id)?.(r);
    } else if (event === 'jobProgress') onProgress?.(payload as JobProgress);
  });
  const call = async <N extends CallName>(name: N, args: CallArgs<N>) =>
    (await api.handle(name, args)) as CallResult<N>;
  const wait = async (jobId: string, label: string) => {
    const bar = progressBar(label);
    onProgress = (p) => {
      if (p.jobId === jobId) bar.update(p.done, p.total, p.message);
    };
    process.once('SIGINT', () => void call('jobCancel', { jobId }));
    const record =
      finished.get(jobId) ?? (await new Promise<JobRecord>((resolve) => waiters.set(jobId, resolve)));
    bar.end();
    onProgress = null;
    if (record.state === 'failed') throw new Error(`${label} failed: ${record.error}`);
    return record;
  };
  return {
    call,
    wait,
    async waitForScoring() {
      const running = (await call('jobsList', {})).find((j) => j.kind === 'score' && j.state === 'running');
      return running ? wait(running.id, 'score') : null;
    },
    stop: () => app.stop(),
  };
}
