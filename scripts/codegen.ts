import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen';

// `npm run codegen` writes the resolver types generated from schema/*.graphql;
// `npm run codegen -- --check` only says whether the committed file is current (exit 1 when stale).

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  process.chdir(ROOT);
  const check = process.argv.includes('--check');
  const outputs = await generate({ ...config, silent: true }, false);
  let stale = 0;
  for (const output of outputs) {
    const file = path.join(ROOT, output.filename);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current === output.content) continue;
    stale++;
    if (check) process.stderr.write(`${output.filename} is stale: run \`npm run codegen\`\n`);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, output.content);
    }
  }
  process.stdout.write(check ? `${outputs.length - stale} of ${outputs.length} generated files current\n` : `wrote ${stale} of ${outputs.length} generated files\n`);
  return check && stale > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
