import type { ReactNode } from 'react';
import type { AppInfo, JobProgress, WorkspaceSummary } from '../../../shared/contract';
import type { TransportKind } from '../transport/bridge';

export function StatusBar(props: {
  info: AppInfo | null;
  transport: TransportKind;
  workspace: WorkspaceSummary | null;
  job: JobProgress | null;
  children?: ReactNode;
}) {
  const { info, transport, workspace, job, children } = props;
  return (
    <footer className="statusbar" aria-label="status bar">
      <span data-testid="status-host">
        host: {info ? (info.host === 'electron' ? 'Electron' : 'browser host') : '...'} ({transport})
      </span>
      <span data-testid="status-backend" title={info?.backend.reason}>
        compute: {info?.backend.name ?? 'not started'}
      </span>
      <span data-testid="status-workspace">
        {workspace ? `${workspace.candidates} candidates` : 'no workspace'}
      </span>
      {children}
      {job && (
        <span data-testid="status-job">
          {job.kind}: {job.done}/{job.total || '?'} ({job.rate.toFixed(0)}/s
          {job.etaSeconds !== null ? `, ${Math.ceil(job.etaSeconds)} s left` : ''}) {job.message}
        </span>
      )}
    </footer>
  );
}
