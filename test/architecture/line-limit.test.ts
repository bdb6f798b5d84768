import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 160;
const ROOT = join(__dirname, '..', '..');

/** Prettier wraps code at 120; what it cannot wrap (strings, comments) must still fit in 160 characters. */
describe('line limit', () => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.cjs'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file && !file.startsWith('test/fixtures/'));

  it(`no source line is over ${LIMIT} characters`, () => {
    const over = files.flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        return []; // deleted in the working tree
      }
      return text
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.length > LIMIT)
        .map(({ line, index }) => `${file}:${index + 1} (${line.length} characters)`);
    });
    expect(over).toEqual([]);
  });
});
