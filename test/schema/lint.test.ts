import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_FILES = fs.readdirSync(path.join(ROOT, 'schema')).filter((file) => file.endsWith('.graphql')).map((file) => path.join('schema', file));

interface LintProblem {
  message: string;
  rule: string;
  location: { file: string; line: number; column: number };
}

/** Runs graphql-schema-linter with the rules in .graphql-schema-linterrc.yml, on the given files or on `stdin`. */
function lint(files: string[], stdin?: string): { problems: LintProblem[]; stderr: string } {
  const linter = path.join(ROOT, 'node_modules', '.bin', 'graphql-schema-linter');
  const args = ['--format', 'json', '--config-directory', ROOT, ...(stdin === undefined ? files : ['--stdin'])];
  const result = spawnSync(linter, args, { cwd: ROOT, encoding: 'utf8', input: stdin });
  if (result.stdout.trim() === '') return { problems: [], stderr: result.stderr || `exit ${result.status}` };
  return { problems: (JSON.parse(result.stdout) as { errors: LintProblem[] }).errors, stderr: result.stderr };
}

const describeProblem = (problem: LintProblem) =>
  `${path.relative(ROOT, problem.location.file)}:${problem.location.line}:${problem.location.column} ${problem.message} (${problem.rule})`;

describe('the SDL contract', () => {
  test('schema/*.graphql passes graphql-schema-linter: every element described, Relay and naming conventions kept', () => {
    expect(SCHEMA_FILES.length).toBeGreaterThan(0);
    const { problems, stderr } = lint(SCHEMA_FILES);
    expect(stderr).toBe('');
    // Listed one per line so that a failure reads like the linter's own report.
    expect(problems.map(describeProblem).join('\n')).toBe('');
  });

  test('the linter with these rules reports an undescribed field and a lower-case enum value', () => {
    const sdl = '"A query."\ntype Query {\n  answer: Role\n}\n\n"A role."\nenum Role {\n  "The admin."\n  admin\n}\n';
    const { problems } = lint([], sdl);
    expect(problems.map((problem) => problem.rule)).toEqual(expect.arrayContaining(['enum-values-all-caps', 'fields-have-descriptions']));
  });
});
