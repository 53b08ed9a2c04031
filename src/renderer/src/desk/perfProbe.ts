/**
 * Key-to-next-stamps latency, measured where it happens: from the keydown event's timestamp to
 * the first animation frame after the three canvases of the new candidate were drawn. The bench
 * (bench/desk-latency.*) and anyone with devtools read `window.__skysiftLatency` (milliseconds).
 */
declare global {
  interface Window {
    __skysiftLatency?: number[];
  }
}

let pendingKeyAt: number | null = null;

export function markKey(timeStamp: number): void {
  pendingKeyAt = timeStamp;
}

/** The key did not change the candidate (a view or help key): nothing to measure. */
export function cancelKey(): void {
  pendingKeyAt = null;
}

/** Called once per newly drawn candidate (not on redraws of the same one). */
export function markDrawn(): void {
  if (pendingKeyAt === null) return;
  const t0 = pendingKeyAt;
  pendingKeyAt = null;
  // Key to pixels on the canvases (before the frame that shows them): where our own work ends.
  performance.measure('skysift:key-to-drawn', { start: t0, end: performance.now() });
  requestAnimationFrame(() => {
    const log = (window.__skysiftLatency ??= []);
    if (log.length >= 100_000) log.shift();
    log.push(performance.now() - t0);
  });
}
