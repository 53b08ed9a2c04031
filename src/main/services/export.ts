/**
 * The export resource: the night's confirmed supernovae as CSV, JSON, VOTable or a draft TNS
 * report, from the labels given (a file's) or the night's own (data labels under the journal's).
 */
import type { CallArgs, CallResult } from '../../shared/contract';
import { exportConfirmed } from '../export/exportService';
import type { LabelsService } from './labels';
import type { AppState } from './state';

export class ExportService {
  constructor(
    private readonly state: AppState,
    private readonly labels: LabelsService,
  ) {}

  confirmed(args: CallArgs<'exportConfirmed'>): Promise<CallResult<'exportConfirmed'>> {
    const labels = args.labels ?? this.labels.nightLabels();
    return exportConfirmed(this.state.requireWorkspace(), { ...args, labels });
  }
}
