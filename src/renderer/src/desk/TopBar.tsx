import type { WorkspaceSummary } from '../../../shared/contract';
import { ActionButton } from './actions/ActionButton';
import { keyLabel } from './actions/registry';
import type { DeskStore } from './deskStore';
import type { PanelsSnapshot } from './panels/panelsStore';
import type { Theme } from './view/viewStore';

/** The top bar: the night's name and the panel, stats, theme and help buttons (their keys from the registry). */
export function TopBar(props: {
  desk: DeskStore;
  workspace: WorkspaceSummary | null;
  panels: PanelsSnapshot;
  theme: Theme;
}) {
  const { desk, workspace, panels, theme } = props;
  const nightKey = keyLabel(desk.actions.get('night-panel')?.keys[0] ?? '');
  return (
    <header className="topbar">
      <span className="brand">Skysift</span>
      <span className="ws-name">{workspace ? workspace.name : 'no workspace open'}</span>
      {workspace?.simulated && (
        <>
          <span className="badge">simulated data</span>
          <span className="sim-note" data-testid="simulated-note">
            Simulated night (demo generator), not survey data. Open a real night: Night panel{' '}
            <kbd>{nightKey}</kbd>
          </span>
        </>
      )}
      <span className="spacer" />
      {(['night', 'model', 'export'] as const).map((p) => (
        <ActionButton
          key={p}
          desk={desk}
          actionId={`${p}-panel`}
          pressed={panels.sidePanel === p}
          testId={`open-${p}`}
        >
          {p[0].toUpperCase() + p.slice(1)}
        </ActionButton>
      ))}
      <ActionButton desk={desk} actionId="stats" pressed={panels.statsOpen}>
        Stats
      </ActionButton>
      <ActionButton desk={desk} actionId="theme" testId="theme-toggle">
        {theme === 'dark' ? 'Light' : 'Dark'} theme
      </ActionButton>
      <ActionButton desk={desk} actionId="help" pressed={panels.helpOpen}>
        Keys
      </ActionButton>
    </header>
  );
}
