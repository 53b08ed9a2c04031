/**
 * The labels resource: the open night's label journal (main's system of record: appended,
 * fsynced, then acknowledged), and label sets in and out as files.
 */
import type { CallArgs, CallResult } from '../../shared/contract';
import type { HumanLabel } from '../../shared/labels';
import type { JournalEvent } from '../catalog/labelJournal';
import { dataLabels, exportLabelSet, importLabelSet } from '../export/exportService';
import type { AppState } from './state';

export class LabelsService {
  constructor(private readonly state: AppState) {}

  /** Labels into the open night's journal; resolves once they are fsynced. */
  async put(args: CallArgs<'labelsPut'>): Promise<{ acknowledged: number }> {
    const ws = this.state.requireWorkspace();
    const labels = args.labels ?? [];
    const removed = args.removed ?? [];
    const stray = labels.find((l) => l.workspace !== ws.dir);
    if (stray)
      throw new Error(
        `A label for ${stray.candidateId} was given in ${stray.workspace}, but the open night is ${ws.dir}: it was not written here. Open that night to keep it.`,
      );
    const events: JournalEvent[] = [
      ...labels.map((label) => ({ op: 'set' as const, label })),
      ...removed.map((r) => ({ op: 'remove' as const, candidateId: r.candidateId, at: r.at })),
    ];
    await this.state.requireJournal().append(events);
    return { acknowledged: events.length };
  }

  list(): CallResult<'labelsList'> {
    const ws = this.state.requireWorkspace();
    return { workspace: ws.dir, labels: this.state.requireJournal().labels() };
  }

  /** The night's labels: those that came with the data, overridden by the astronomer's (journal). */
  nightLabels(): HumanLabel[] {
    const mine = new Map(
      this.state
        .requireJournal()
        .labels()
        .map((l) => [l.candidateId, l]),
    );
    const fromData = dataLabels(this.state.requireWorkspace()).filter((l) => !mine.has(l.candidateId));
    return [...fromData, ...mine.values()];
  }

  exportSet(args: CallArgs<'labelsExport'>): Promise<CallResult<'labelsExport'>> {
    const labels = args.labels ?? this.state.requireJournal().labels();
    return exportLabelSet(this.state.requireWorkspace(), { ...args, labels });
  }

  importSet(args: CallArgs<'labelsImport'>): Promise<CallResult<'labelsImport'>> {
    const existing = args.existing ?? this.state.requireJournal().labels();
    return importLabelSet(this.state.requireWorkspace(), { ...args, existing });
  }
}
