import { SidePanel } from '../SidePanel';
import { useSyncExternalStore } from 'react';
import { ActiveModel } from './ActiveModel';
import { ComparisonTable } from './ComparisonTable';
import type { ModelStore } from './modelStore';
import { RetrainForm } from './RetrainForm';
import { TrainingProgress } from './TrainingProgress';
import { VersionList } from './VersionList';

/**
 * The Model panel (M): the active version, retraining with its live curve, the comparison when it
 * ends, and every version to adopt or roll back to. It sits beside the desk, never over it.
 */
export function ModelPanel(props: {
  store: ModelStore;
  labelCounts: { real: number; bogus: number; skip: number };
  onClose: () => void;
}) {
  const { store, labelCounts, onClose } = props;
  const s = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const active = s.versions.find((v) => v.active);
  // trainJobs is newest first: an interrupted job is offered for restart until a later one started
  // (a restart, or a fresh retrain, supersedes it; its record stays on disk either way).
  const interrupted = s.trainJobs.slice(0, 1).filter((j) => j.state === 'interrupted');
  return (
    <SidePanel title="Model" testId="model-panel" closeKey="M" onClose={onClose}>
      {s.error && (
        <p className="panel-error" role="alert">
          {s.error}
        </p>
      )}
      <section className="panel-section" aria-label="active model">
        <h3>Active</h3>
        <ActiveModel model={active} />
      </section>
      {s.training ? (
        <TrainingProgress run={s.training} pending={s.pending} onCancel={() => void store.cancel()} />
      ) : (
        <section className="panel-section" aria-label="retrain">
          <h3>Retrain</h3>
          <RetrainForm
            labelCounts={labelCounts}
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
      {s.scoring && (
        <p className="small" data-testid="scoring">
          Scoring the night: {s.scoring.done}/{s.scoring.total || '?'} {s.scoring.message}
        </p>
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
