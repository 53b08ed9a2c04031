/**
 * Lets the worker's event loop run once. A cancel arrives as an IPC message (a macrotask), but a
 * training loop on tfjs-wasm awaits only promises that are already settled (microtasks), so without
 * this the message waits until training ends. One setImmediate per batch costs microseconds.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
