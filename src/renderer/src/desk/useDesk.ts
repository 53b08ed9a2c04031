import { useSyncExternalStore } from 'react';
import type { DeskStore } from './deskStore';
import type { LabelsSnapshot } from './labels/deskLabels';
import type { PanelsSnapshot } from './panels/panelsStore';
import type { QueueSnapshot } from './queue/queueStore';
import type { ViewSnapshot } from './view/viewStore';

/** What React draws the desk from: one snapshot per store. */
export interface DeskState {
  queue: QueueSnapshot;
  labels: LabelsSnapshot;
  view: ViewSnapshot;
  panels: PanelsSnapshot;
}

export function useDesk(desk: DeskStore): DeskState {
  return {
    queue: useSyncExternalStore(desk.queue.subscribe, desk.queue.getSnapshot),
    labels: useSyncExternalStore(desk.labels.subscribe, desk.labels.getSnapshot),
    view: useSyncExternalStore(desk.view.subscribe, desk.view.getSnapshot),
    panels: useSyncExternalStore(desk.panels.subscribe, desk.panels.getSnapshot),
  };
}
