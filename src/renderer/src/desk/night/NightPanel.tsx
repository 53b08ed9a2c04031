import { SidePanel } from '../SidePanel';
import { useState } from 'react';
import type {
  HomeInfo,
  JobProgress,
  JobRecord,
  SkysiftBridge,
  WorkspaceSummary,
} from '../../../../shared/contract';
import { IngestReport } from './IngestReport';
import { NightList } from './NightList';
import { OpenNight } from './OpenNight';

/** How far this night is scored, by which version, or the scoring job under way. */
export function ScoringLine(props: { workspace: WorkspaceSummary | null; scoring: JobProgress | null }) {
  const { workspace, scoring } = props;
  if (scoring)
    return (
      <p className="small" data-testid="night-scoring" data-state="running">
        {/* main's message names the version: "scoring with <version> ..." */}
        {scoring.message || 'scoring'}: {scoring.done}/{scoring.total || '?'}
      </p>
    );
  if (!workspace || workspace.candidates === 0) return null;
  const { scored, candidates, activeModel, homeModel } = workspace;
  return (
    <p
      className="small"
      data-testid="night-scoring"
      data-state={scored === candidates ? 'scored' : 'partial'}
      data-model={activeModel ?? ''}
    >
      {activeModel && scored > 0
        ? `Scored by ${activeModel}: ${scored} of ${candidates} candidates.`
        : homeModel
          ? `Not scored yet: ${homeModel} (the home's model for these stamps) scores it.`
          : 'Not scored: the home has no model for these stamps (import one in the Model panel).'}
      {activeModel && homeModel && activeModel !== homeModel
        ? ` The home's active model is ${homeModel}: adopt or score with it in the Model panel.`
        : ''}
      {seeingNote(workspace.seeing)}
    </p>
  );
}

/**
 * What the models see of this night's stamps: its templates blurred to the search images' seeing
 * when the night is much worse than its templates, and resampled when its seeing is much wider
 * than theirs.
 */
export function seeingNote(seeing: WorkspaceSummary['seeing']): string {
  if (!seeing || seeing.fwhmPx === null || (seeing.zoom === 1 && !seeing.templateBlur)) return '';
  const blurred = seeing.templateBlur ? "its templates blurred to the search images' seeing" : '';
  const resampled =
    seeing.zoom === 1
      ? ''
      : `its stamps resampled x${seeing.zoom.toFixed(2)}, to the scale they were trained at`;
  return ` Seeing ${seeing.fwhmPx.toFixed(1)} px: the models see ${[blurred, resampled].filter(Boolean).join(', then ')}.`;
}

/**
 * The Night panel (N): the home's nights to open, open or create another workspace, ingest
 * stamps, read the ingest report, watch the night being scored.
 */
export function NightPanel(props: {
  bridge: SkysiftBridge;
  workspace: WorkspaceSummary | null;
  home: HomeInfo | null;
  scoring: JobProgress | null;
  pick: ((title: string) => Promise<string | null>) | null;
  ingest: { running: JobProgress | null; last: JobRecord | null };
  onError: (msg: string | null) => void;
  onOpened: () => void;
  onClose: () => void;
}) {
  const { bridge, workspace, home, scoring, pick, ingest, onError, onOpened, onClose } = props;
  const [opening, setOpening] = useState(false);
  const open = async (dir: string) => {
    setOpening(true);
    try {
      onError(null);
      await bridge.invoke('workspaceOpen', { dir, create: false });
      onOpened();
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setOpening(false);
    }
  };
  return (
    <SidePanel title="Night" testId="night-panel" closeAction="night-panel" onClose={onClose}>
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
      <ScoringLine workspace={workspace} scoring={scoring} />
      <section className="panel-section" aria-label="nights of the home">
        <h3>Nights of the home</h3>
        {home && (
          <p className="muted small">
            Home: <span className="mono">{home.home}</span> (models and the list of nights)
          </p>
        )}
        <NightList
          home={home}
          openDir={workspace?.dir ?? null}
          busy={opening || ingest.running !== null}
          onOpen={(dir) => void open(dir)}
        />
      </section>
      <h3>Another night</h3>
      <p className="muted small">
        A workspace is a folder Skysift keeps a night in (its catalog, scores and label journal). Open one, or
        give a new folder to create it, then ingest the night&apos;s stamps into it: it is scored with the
        home&apos;s model as soon as the ingest ends. Models live in the home and serve every night.
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
