/**
 * The desk store touches two browser globals (the theme attribute, saved view settings): minimal
 * stand-ins so its logic runs under Node.
 */
export function installBrowserGlobals(): void {
  const mem = new Map<string, string>();
  Object.assign(globalThis, {
    document: { documentElement: { dataset: {} }, getElementById: () => null },
    localStorage: {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
    },
  });
}
