/**
 * The services behind the contract, one module per resource (in the style of SkyPortal's
 * handlers): nights, candidates, labels, models, jobs, export, over the state they share (the
 * home, the open night and its journal, the event bus). One instance per app (Electron main,
 * browser host or CLI); api.ts is the one map from contract calls to these modules.
 */
import { CandidatesService } from './candidates';
import { ExportService } from './export';
import { JobsService } from './jobs';
import { LabelsService } from './labels';
import { ModelsService } from './models';
import { NightsService } from './nights';
import { AppState, type ServicesOptions } from './state';

export type { ServicesOptions } from './state';

export class Services {
  readonly state: AppState;
  readonly jobs: JobsService;
  readonly models: ModelsService;
  readonly nights: NightsService;
  readonly candidates: CandidatesService;
  readonly labels: LabelsService;
  readonly export: ExportService;

  constructor(opts: ServicesOptions) {
    this.state = new AppState(opts);
    this.jobs = new JobsService(this.state);
    this.models = new ModelsService(this.state, this.jobs);
    this.nights = new NightsService(this.state, this.jobs, this.models);
    this.candidates = new CandidatesService(this.state);
    this.labels = new LabelsService(this.state);
    this.export = new ExportService(this.state, this.labels);
  }
}
