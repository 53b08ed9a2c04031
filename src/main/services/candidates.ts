/**
 * The candidates resource: the open night's queue (with scores and each object's context across
 * the home's nights), one version's scores, the stamps as the desk draws them, and a candidate's
 * light curve and neighbours.
 */
import type { CallResult, CandidateRow, WireTriplet } from '../../shared/contract';
import { candidateContext, contextSummaries } from '../catalog/objectHistory';
import { stampToWire } from '../util/base64';
import type { AppState } from './state';

export class CandidatesService {
  constructor(private readonly state: AppState) {}

  async list(): Promise<{ workspace: string; model: string | null; rows: CandidateRow[] }> {
    const ws = this.state.requireWorkspace();
    ws.refresh();
    const model = ws.settings.activeModel;
    const scores = ws.scores(model);
    const context = contextSummaries(ws, await this.state.otherNights(), scores);
    return {
      workspace: ws.dir,
      model,
      rows: ws.list().map((e) => ({
        id: e.id,
        source: e.source,
        meta: e.meta,
        given: e.given,
        score: scores?.get(e.id) ?? null,
        context: context.get(e.id),
      })),
    };
  }

  scores(version: string | undefined): CallResult<'candidatesScores'> {
    const ws = this.state.requireWorkspace();
    const v = version ?? ws.settings.activeModel;
    const scores = ws.scores(v ?? null);
    if (version && !scores)
      throw new Error(`${version} has not scored ${ws.dir}: score the night with it first`);
    return { version: v, scores: ws.ids().map((id) => ({ id, score: scores?.get(id) ?? null })) };
  }

  async stamps(ids: string[]): Promise<WireTriplet[]> {
    const ws = this.state.requireWorkspace();
    return Promise.all(
      ids.map(async (id) => {
        const t = await ws.readTriplet(id);
        return {
          id,
          search: stampToWire(t.search),
          template: t.template ? stampToWire(t.template) : null,
          difference: stampToWire(t.difference),
        };
      }),
    );
  }

  async context(id: string): Promise<CallResult<'candidateContext'>> {
    return candidateContext(this.state.requireWorkspace(), await this.state.otherNights(), id);
  }
}
