/**
 * The one place that knows a night's (workspace's) folder layout:
 *
 *   workspace.json            name, whether simulated, the version that scored it and its threshold
 *   catalog/part-NNNNNN.json  candidates of one ingest chunk (the commit point of that chunk)
 *   catalog/part-NNNNNN.idx   its ids, sources and stamp locations, with the part's size and mtime
 *                             (catalogIndex.ts): what opening a night reads; rebuilt from the part
 *                             when missing or stale
 *   stamps/part-NNNNNN.bin    their packed triplets (written before the catalog part)
 *   scores/<version>.json     scores per library version
 *   scores/<version>.add.jsonl  scores added since that file was written, one line per scoring
 *   labels/journal.jsonl      the astronomer's labels, append-only (labelJournal.ts)
 *   jobs/<id>.json            job records (ingest, train, score), for reporting and resume
 *   cache/<preprocessing>.*   preprocessed model inputs for training (stampCache.ts)
 *   cache/rows-<spec>/part-NNNNNN.rows  preprocessed rows of whole catalog parts for scoring
 *                             again (scoreCache.ts; checksummed, rebuilt when stale or damaged)
 *   cache/seeing.json         the night's seeing in pixels and the resampling it gets before
 *                             preprocessing (worker/model/seeing.ts); the row caches of a resampled
 *                             night carry the factor in their names (-zoom<factor>)
 *   demo-stamps/              the simulated stamps of a demo night
 *   models/                   versions trained before models lived in the home (moved to its library on open)
 */
import path from 'node:path';

export function workspaceLayout(dir: string) {
  return {
    file: path.join(dir, 'workspace.json'),
    catalog: path.join(dir, 'catalog'),
    stamps: path.join(dir, 'stamps'),
    scores: path.join(dir, 'scores'),
    labels: path.join(dir, 'labels'),
    journal: path.join(dir, 'labels', 'journal.jsonl'),
    jobs: path.join(dir, 'jobs'),
    cache: path.join(dir, 'cache'),
    demoStamps: path.join(dir, 'demo-stamps'),
    legacyModels: path.join(dir, 'models'),
  };
}

/** Folders every open workspace has (created on open). */
export const WORKSPACE_FOLDERS = ['catalog', 'stamps', 'scores', 'labels', 'jobs'] as const;
