// Runs before every `npm run` command that needs more than Node (pre-scripts in package.json) so that the
// README's commands work on a fresh clone: it installs the locked npm dependencies and the system programs
// the command needs. Plain JavaScript on purpose: it runs before TypeScript and tsx are installed.
//
//   node scripts/ensure-deps.js [SERVICE…]     SERVICE: the local services the command may start (neo4j, redis)
//   GRAPEVINE_ENSURE_DRY_RUN=1                  print what would be installed, install nothing
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/**
 * Programs a command needs from the machine, one row each. `service` is the argument that asks for the row;
 * `unlessEnv` is the variable naming an existing service, which makes the program unnecessary.
 */
const SYSTEM_REQUIREMENTS = [
  { command: 'redis-server', debianPackage: 'redis-server', why: 'runs the local Redis (cache, rate limits)', service: 'redis', unlessEnv: 'REDIS_URL' },
  { command: 'javac', debianPackage: 'openjdk-17-jdk-headless', why: 'builds and runs the local Neo4j (Java 17+ JDK)', service: 'neo4j', unlessEnv: 'NEO4J_URI' },
  { command: 'mvn', debianPackage: 'maven', why: 'assembles the local Neo4j, GDS and APOC from Maven Central', service: 'neo4j', unlessEnv: 'NEO4J_URI' },
  { command: 'chromium', debianPackage: 'chromium', why: 'drives the dashboard in a real headless browser (test/dashboard)', service: 'browser', unlessEnv: 'CHROMIUM_PATH' },
];

const root = path.resolve(__dirname, '..');
const dryRun = process.env.GRAPEVINE_ENSURE_DRY_RUN === '1';
const prefixed = (message) => message.split('\n').map((line) => `[deps] ${line}\n`).join('');
const say = (message) => process.stdout.write(prefixed(message));

function stop(message) {
  process.stderr.write(prefixed(message));
  process.exit(1);
}

/** Looks the program up on PATH as the shell would, without starting a shell. */
function commandExists(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return fs.statSync(path.join(dir, command)).isFile();
    } catch {
      return false;
    }
  });
}

function run(command, args, env = process.env) {
  if (dryRun) {
    say(`dry run: would run ${[command, ...args].join(' ')}`);
    return;
  }
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) stop(`${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function ensureSystemPrograms(services) {
  const known = new Set(SYSTEM_REQUIREMENTS.map((requirement) => requirement.service));
  const unknown = services.filter((service) => !known.has(service));
  if (unknown.length > 0) stop(`unknown service ${unknown.join(', ')}; known: ${[...known].join(', ')}`);

  const missing = SYSTEM_REQUIREMENTS.filter(
    (requirement) => services.includes(requirement.service) && !process.env[requirement.unlessEnv] && !commandExists(requirement.command),
  );
  if (missing.length === 0) return;
  const packages = missing.map((requirement) => requirement.debianPackage);
  const reasons = missing.map((requirement) => `  ${requirement.command} (${requirement.debianPackage}): ${requirement.why}`).join('\n');
  const unlessEnvs = [...new Set(missing.map((requirement) => requirement.unlessEnv))].join(' / ');

  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !commandExists('apt-get')) {
    stop(
      `this command needs programs the machine lacks:\n${reasons}\n` +
        `install them with (Debian, Ubuntu): sudo apt-get install -y ${packages.join(' ')}\n` +
        `(or set ${unlessEnvs} to use an existing service)`,
    );
  }
  say(`installing from Debian what this machine lacks:\n${reasons}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], env);
  run('apt-get', ['install', '-y', '-qq', ...packages], env);
  if (dryRun) return;
  const stillMissing = missing.filter((requirement) => !commandExists(requirement.command));
  if (stillMissing.length > 0) stop(`installed ${packages.join(' ')} but ${stillMissing.map((requirement) => requirement.command).join(', ')} is still not on PATH`);
}

function ensureNpmDependencies() {
  const stamp = path.join(root, 'node_modules', '.grapevine-lock-hash');
  const lockHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lockHash) return;
  say('installing the locked npm dependencies (npm ci)…');
  // --include=dev: every command runs through tsx, and NODE_ENV=production (docker-compose.yml) would leave it out.
  run('npm', ['ci', '--include=dev', '--no-audit', '--no-fund']);
  if (!dryRun) fs.writeFileSync(stamp, lockHash);
}

// System programs first: a missing one stops the command at once, before a long npm ci.
ensureSystemPrograms(process.argv.slice(2));
ensureNpmDependencies();
