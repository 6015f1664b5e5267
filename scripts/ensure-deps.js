// Runs before `npm start` and `npm test` so that the README's commands work on a fresh clone.
// Plain JavaScript on purpose: it runs before TypeScript and tsx are installed.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'node_modules', '.grapevine-lock-hash');
const lockHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');

if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== lockHash) {
  process.stdout.write('installing the locked dependencies (npm ci)…\n');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
  fs.writeFileSync(stamp, lockHash);
}
