// Injected at build time by electron-vite's `define`; the fallback serves tests run from sources.
declare const __SKYSIFT_VERSION__: string | undefined;
export const VERSION: string = typeof __SKYSIFT_VERSION__ === 'string' ? __SKYSIFT_VERSION__ : '0.0.0-dev';
