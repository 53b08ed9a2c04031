import { useEffect, useState } from 'react';
import type { JobProgress, JobRecord, SkysiftBridge } from '../../../../shared/contract';

/** The running ingest (if any) and the last one finished, with its report. Kept by the app, not the panel. */
export function useIngestJob(bridge: SkysiftBridge): { running: JobProgress | null; last: JobRecord | null } {
  const [running, setRunning] = useState<JobProgress | null>(null);
  const [last, setLast] = useState<JobRecord | null>(null);
  useEffect(() => {
    const offProgress = bridge.on('jobProgress', (p) => {
      if (p.kind === 'ingest') setRunning(p);
    });
    const offFinished = bridge.on('jobFinished', (r) => {
      if (r.kind !== 'ingest') return;
      setRunning(null);
      setLast(r);
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [bridge]);
  return { running, last };
}
