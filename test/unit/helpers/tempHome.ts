// Every test file gets its own Skysift home (model library, nights list): tests never write into
// the user's ~/.skysift, and versions trained by one file do not show up in another's library.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.SKYSIFT_HOME = mkdtempSync(path.join(os.tmpdir(), 'skysift-test-home-'));
