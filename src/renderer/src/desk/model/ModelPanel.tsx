import { SidePanel } from '../SidePanel';
import { useSyncExternalStore } from 'react';
import type { WorkspaceSummary } from '../../../../shared/contract';
import { LibraryActions } from './LibraryActions';
import { figureText, qualityFigure, trainedOnText } from './provenance';
import { ActiveModel } from './ActiveModel';
import { ComparisonTable } from './ComparisonTable';
import type { ModelStore } from './modelStore';
import { RetrainForm } from './RetrainForm';
import { TrainingProgress } from './TrainingProgress';
import { VersionList } from './VersionList';

/**
 * The Model panel (M): the home's active version and what it was trained on, scoring this night
 * with any version of the library, importing a model folder, retraining (on the labels of all
 * nights or of this one) with its live curve, the comparison when it ends, and every version to
 * adopt or roll back to. It sits beside the desk, never over it.
 */
export function ModelPanel(props: {
  store: ModelStore;
  labelCounts: { real: number; bogus: number; skip: number };
  homeCounts: { real: number; bogus: number; skip: number; nights: number } | null;
  workspace: WorkspaceSummary | null;
  onClose: () => void;
}) {
  const { store, labelCounts, homeCounts, workspace, onClose } = props;
  const s = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const active = s.versions.find((v) => v.active);
  const activeFigure = active ? qualityFigure(active) : null;
  // trainJobs is newest first: an interrupted job is offered for restart until a later one started
  // (a restart, or a fresh retrain, supersedes it; its record stays on disk either way).
  const interrupted = s.trainJobs.slice(0, 1).filter((j) => j.state === 'interrupted');
  return (
    <SidePanel title="Model" testId="model-panel" closeAction="model-panel" onClose={onClose}>
      {s.error && (
        <p className="panel-error" role="alert">
          {s.error}
        </p>
      )}
      <section className="panel-section" aria-label="active model">
        <h3>Active</h3>
        <ActiveModel model={active} />
        {active && activeFigure && (
          <p className="small" data-testid="active-provenance" data-scope={activeFigure.scope}>
            Trained on {trainedOnText(active)}.{' '}
            {activeFigure.evaluation
              ? `${figureText(activeFigure.evaluation)} ${activeFigure.where}.`
              : `${activeFigure.where[0].toUpperCase()}${activeFigure.where.slice(1)}.`}
          </p>
        )}
        {workspace && workspace.activeModel !== (active?.version ?? null) && (
          <p className="small notice">
            This night shows {workspace.activeModel ?? 'no scores'}; the home&apos;s active model is{' '}
            {active?.version ?? 'none'}.
          </p>
        )}
      </section>
      <section className="panel-section" aria-label="library">
        <h3>This night and the library</h3>
        <LibraryActions
          versions={s.versions}
          pending={s.pending}
          scoring={s.scoring}
          imported={s.imported}
          hasNight={workspace !== null && workspace.candidates > 0}
          onImport={(folder) => store.importModel(folder)}
          onScore={(v) => void store.scoreWith(v)}
        />
      </section>
      {s.training ? (
        <TrainingProgress run={s.training} pending={s.pending} onCancel={() => void store.cancel()} />
      ) : (
        <section className="panel-section" aria-label="retrain">
          <h3>Retrain</h3>
          <RetrainForm
            labelCounts={labelCounts}
            homeCounts={homeCounts}
            hasActive={active !== undefined}
            activeArchitecture={active?.architecture ?? null}
            pending={s.pending}
            onRetrain={(opts) => void store.retrain(opts)}
          />
        </section>
      )}
      {s.outcome && (
        <ComparisonTable
          outcome={s.outcome}
          pending={s.pending}
          onAdopt={(v) => void store.adopt(v)}
          onDiscard={() => store.discard()}
        />
      )}
      {interrupted.length > 0 && (
        <section className="panel-section" aria-label="interrupted training">
          <h3>Interrupted</h3>
          <ul className="plain">
            {interrupted.map((j) => (
              <li key={j.id}>
                <span className="small">
                  started {j.startedAt.replace('T', ' ').slice(0, 16)}: {j.error ?? 'the app stopped'}
                </span>{' '}
                <button
                  type="button"
                  disabled={s.pending || s.training !== null}
                  onClick={() => void store.restart(j.id)}
                >
                  Restart
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="panel-section" aria-label="versions">
        <h3>Versions</h3>
        <VersionList versions={s.versions} pending={s.pending} onAdopt={(v) => void store.adopt(v)} />
      </section>
    </SidePanel>
  );
}
