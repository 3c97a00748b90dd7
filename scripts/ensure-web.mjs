// Builds the web UI into dist/web when it is missing or older than its sources, so that
// `npm install && npm start` works from a clean clone with no separate build step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const index = 'dist/web/index.html';
const stale =
  !existsSync(index) ||
  statSync(index).mtimeMs < Math.max(newest('web/src'), statSync('web/index.html').mtimeMs);
if (stale) {
  process.stdout.write('Building the web UI…\n');
  execSync('npx vite build --config web/vite.config.ts --logLevel warn', { stdio: 'inherit' });
}
