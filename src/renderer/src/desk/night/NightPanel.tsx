import { SidePanel } from '../SidePanel';
import type { JobProgress, JobRecord, SkysiftBridge, WorkspaceSummary } from '../../../../shared/contract';
import { IngestReport } from './IngestReport';
import { OpenNight } from './OpenNight';

/** The Night panel (N): open or create another workspace, ingest stamps, read the ingest report. */
export function NightPanel(props: {
  bridge: SkysiftBridge;
  workspace: WorkspaceSummary | null;
  pick: ((title: string) => Promise<string | null>) | null;
  ingest: { running: JobProgress | null; last: JobRecord | null };
  onError: (msg: string | null) => void;
  onOpened: () => void;
  onClose: () => void;
}) {
  const { bridge, workspace, pick, ingest, onError, onOpened, onClose } = props;
  return (
    <SidePanel title="Night" testId="night-panel" closeKey="N" onClose={onClose}>
      <p className="small">
        Open now:{' '}
        {workspace ? (
          <>
            <span className="mono">{workspace.dir}</span> ({workspace.candidates} candidates
            {workspace.simulated ? ', simulated' : ''})
          </>
        ) : (
          'no workspace'
        )}
      </p>
      <p className="muted small">
        A workspace is a folder Skysift keeps a night in (its catalog, scores, model versions). Open one, or
        give a new folder to create it, then ingest the night&apos;s stamps into it. Your labels stay with the
        workspace they were given in.
      </p>
      <OpenNight
        bridge={bridge}
        workspace={workspace}
        onError={onError}
        onOpened={onOpened}
        pick={pick}
        ingesting={ingest.running !== null}
      />
      {ingest.running && (
        <p className="small" data-testid="ingest-progress">
          Ingesting: {ingest.running.done}/{ingest.running.total || '?'} {ingest.running.message}{' '}
          <button
            type="button"
            onClick={() => void bridge.invoke('jobCancel', { jobId: ingest.running!.jobId })}
          >
            Cancel
          </button>
        </p>
      )}
      {ingest.last && <IngestReport record={ingest.last} />}
    </SidePanel>
  );
}
