import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// scripts/ensure-deps.js against a PATH of fake programs: nothing is installed on this machine.

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'ensure-deps.js');
const asRoot = process.getuid?.() === 0;

/** A folder holding executable stand-ins for the named programs; it is the whole PATH of a run. */
function fakeBin(programs: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grapevine-ensure-'));
  for (const [name, body] of Object.entries(programs)) fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

function ensureDeps(bin: string, services: string[], env: Record<string, string> = {}) {
  // node by its absolute path, so that PATH can lack everything else; NEO4J_URI and REDIS_URL only when a test sets them.
  return spawnSync(process.execPath, [SCRIPT, ...services], { env: { PATH: bin, ...env }, encoding: 'utf8' });
}

describe('scripts/ensure-deps.js', () => {
  const dirs: string[] = [];
  const bin = (programs?: Record<string, string>) => {
    const dir = fakeBin(programs);
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  test('without apt-get it names each missing program and the one command that installs them', () => {
    const result = ensureDeps(bin({ javac: 'exit 0' }), ['neo4j', 'redis'], { GRAPEVINE_ENSURE_DRY_RUN: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('redis-server (redis-server): runs the local Redis');
    expect(result.stderr).toContain('mvn (maven): assembles the local Neo4j');
    expect(result.stderr).not.toContain('javac (');
    expect(result.stderr).toContain('install them with (Debian, Ubuntu): sudo apt-get install -y redis-server maven');
    expect(result.stderr).toContain('or set REDIS_URL / NEO4J_URI to use an existing service');
  });

  test('checks only the programs of the services the command names', () => {
    const neo4jOnly = ensureDeps(bin({ javac: 'exit 0', mvn: 'exit 0' }), ['neo4j']);
    expect(neo4jOnly.stderr).toBe('');
    expect(neo4jOnly.status).toBe(0);
    const nothing = ensureDeps(bin(), []);
    expect(nothing.stderr).toBe('');
    expect(nothing.status).toBe(0);
  });

  test('needs no local program for a service that REDIS_URL or NEO4J_URI names', () => {
    const result = ensureDeps(bin(), ['neo4j', 'redis'], { REDIS_URL: 'redis://db:6379', NEO4J_URI: 'bolt://db:7687' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const redisGiven = ensureDeps(bin(), ['neo4j', 'redis'], { REDIS_URL: 'redis://db:6379', GRAPEVINE_ENSURE_DRY_RUN: '1' });
    expect(redisGiven.stderr).toContain('sudo apt-get install -y openjdk-17-jdk-headless maven\n');
  });

  test('the browser the dashboard tests drive is Debian\'s chromium, unless CHROMIUM_PATH names one', () => {
    const missing = ensureDeps(bin(), ['browser'], { GRAPEVINE_ENSURE_DRY_RUN: '1' });
    expect(missing.stderr).toContain('chromium (chromium): drives the dashboard in a real headless browser');
    expect(missing.stderr).toContain('sudo apt-get install -y chromium\n');
    const given = ensureDeps(bin(), ['browser'], { CHROMIUM_PATH: '/opt/chrome/chrome' });
    expect(given.stderr).toBe('');
    expect(given.status).toBe(0);
  });

  test('refuses a service name it does not know', () => {
    const result = ensureDeps(bin(), ['neo4jj']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown service neo4jj; known: redis, neo4j, browser');
  });

  (asRoot ? test : test.skip)('as root in a dry run it says what it would install and touches nothing', () => {
    const result = ensureDeps(bin({ 'apt-get': 'exit 1' }), ['redis'], { GRAPEVINE_ENSURE_DRY_RUN: '1' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('installing from Debian what this machine lacks:');
    expect(result.stdout).toContain('dry run: would run apt-get update -qq\n');
    expect(result.stdout).toContain('dry run: would run apt-get install -y -qq redis-server\n');
  });

  (asRoot ? test : test.skip)('as root it runs apt-get update once, then installs every missing package in one apt-get install', () => {
    // A stand-in apt-get that records its calls and "installs" the programs by creating them beside itself.
    const dir = bin({
      'apt-get': [
        'here="${0%/*}"',
        'echo "$@" >> "$here/calls"',
        'case "$1" in install) for program in redis-server javac mvn; do printf "#!/bin/sh\\n" > "$here/$program"; /bin/chmod +x "$here/$program"; done;; esac',
      ].join('\n'),
    });
    const result = ensureDeps(dir, ['neo4j', 'redis']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'calls'), 'utf8')).toBe('update -qq\ninstall -y -qq redis-server openjdk-17-jdk-headless maven\n');
  });

  (asRoot ? test : test.skip)('stops when apt-get succeeded but a program is still missing', () => {
    const result = ensureDeps(bin({ 'apt-get': 'exit 0' }), ['redis']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('installed redis-server but redis-server is still not on PATH');
  });
});
