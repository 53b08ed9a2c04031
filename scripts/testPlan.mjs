// Which steps `npm test` runs, and why it leaves some out: kept apart from test.mjs so that a unit
// test can check it without running the whole suite.

/** [name, command, args] in order. Setup steps install Debian packages (see README "Test it"). */
export const STEPS = [
  ['typecheck', 'npx', ['tsc', '-b', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']],
  ['setup: chromium', 'bash', ['scripts/setup-chromium.sh']],
  ['setup: lavapipe (webgpu on the CPU)', 'bash', ['scripts/setup-lavapipe.sh']],
  ['setup: xmllint and astropy (VOTable checks)', 'bash', ['scripts/setup-votable-tools.sh']],
  ['unit tests', 'npx', ['vitest', 'run']],
  ['e2e tests', 'npx', ['vitest', 'run', '--config', 'vitest.e2e.config.mts']],
];

/**
 * Each step with `skip`: null (run it) or the reason it is left out. `exists(path)` answers for
 * files; `env` is process.env.
 */
export function planSteps(env, exists) {
  const noApt = env.SKYSIFT_TEST_NO_APT === '1';
  return STEPS.map(([name, cmd, args]) => {
    let skip = null;
    if (cmd === 'bash' && !exists(args[0])) skip = `${args[0]} is absent`;
    else if (noApt && name.startsWith('setup:')) skip = 'SKYSIFT_TEST_NO_APT=1';
    else if (name === 'e2e tests' && !exists('/usr/bin/chromium'))
      skip = '/usr/bin/chromium is absent (scripts/setup-chromium.sh installs it)';
    return { name, cmd, args, skip };
  });
}
