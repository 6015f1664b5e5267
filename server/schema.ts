import fs from 'node:fs';
import path from 'node:path';

const SCHEMA_DIR = path.resolve(__dirname, '..', 'schema');

/** The SDL contract, file by file, as the server and codegen both read it. */
export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
}
