import { SidePanel } from '../SidePanel';
import type { SkysiftBridge } from '../../../../shared/contract';
import type { HumanLabel } from '../../../../shared/labels';
import { ConfirmedExport } from './ConfirmedExport';
import { LabelSetTransfer } from './LabelSetTransfer';

/** The Export panel (E): confirmed supernovae out; the label set out and in. */
export function ExportPanel(props: {
  bridge: SkysiftBridge;
  labels: () => Promise<HumanLabel[]>;
  onImport: (labels: HumanLabel[]) => Promise<void>;
  pick: ((title: string) => Promise<string | null>) | null;
  onClose: () => void;
}) {
  const { bridge, labels, onImport, pick, onClose } = props;
  return (
    <SidePanel title="Export" testId="export-panel" closeAction="export-panel" onClose={onClose}>
      <section className="panel-section" aria-label="confirmed supernovae">
        <h3>Confirmed supernovae</h3>
        <ConfirmedExport bridge={bridge} labels={labels} pick={pick} />
      </section>
      <section className="panel-section" aria-label="label set">
        <h3>Label set (to share with colleagues)</h3>
        <LabelSetTransfer bridge={bridge} labels={labels} onAccept={onImport} pick={pick} />
      </section>
    </SidePanel>
  );
}
