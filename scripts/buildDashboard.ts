import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Builds the dashboard and the GraphQL explorer (server/dashboard, Vite) into dist/dashboard, which the API serves
// at / and at GET /graphql. Skipped when nothing it is built from changed since the last build: the sources, the
// Vite config and package-lock.json are hashed into dist/dashboard/.build-hash. Needs no network.

const ROOT = path.resolve(__dirname, '..');
export const DASHBOARD_SOURCE = path.join(ROOT, 'server', 'dashboard');
export const DASHBOARD_OUTPUT = path.join(ROOT, 'dist', 'dashboard');
const HASH_FILE = path.join(DASHBOARD_OUTPUT, '.build-hash');

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

function inputsHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...filesUnder(DASHBOARD_SOURCE), path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds unless the output is up to date; returns whether it built. Throws when Vite fails. */
export function buildDashboard(say: (message: string) => void = () => {}): boolean {
  const hash = inputsHash();
  if (fs.existsSync(HASH_FILE) && fs.readFileSync(HASH_FILE, 'utf8') === hash) return false;
  say('building the dashboard (vite)…');
  const started = Date.now();
  const vite = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(DASHBOARD_SOURCE, 'vite.config.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (vite.status !== 0) throw new Error(`the dashboard build failed:\n${vite.stdout}${vite.stderr}`);
  fs.writeFileSync(HASH_FILE, hash);
  say(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${path.relative(ROOT, DASHBOARD_OUTPUT)}`);
  return true;
}

if (require.main === module) {
  try {
    buildDashboard((message) => process.stdout.write(`[dashboard] ${message}\n`)) || process.stdout.write('[dashboard] up to date\n');
  } catch (error) {
    process.stderr.write(`[dashboard] ${(error as Error).message}\n`);
    process.exit(1);
  }
}
