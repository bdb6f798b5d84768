import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { headingAnchors, headingSlug, relativeLinks, repoPaths, splitFencedCode } from './markdown';

const ROOT = resolve(__dirname, '..', '..');
const README_MAX_LINES = 220;

const DOC_FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

/**
 * Files a walkthrough names as the ones its reader creates: they do not exist, on purpose. Each entry must still be
 * named by its page and still be absent, so the list cannot go stale.
 */
const FILES_A_WALKTHROUGH_CREATES: Readonly<Record<string, readonly string[]>> = {
  'docs/extending-kinds.md': ['lambdas/kinds/s3-bucket.ts'],
};

/** A path as written, or an import specifier without its extension (`lambdas/kinds/describe-subject`). */
function exists(path: string): boolean {
  return [path, `${path}.ts`, join(path, 'index.ts')].some((candidate) => existsSync(join(ROOT, candidate)));
}

/** Counted as `wc -l` counts: newline characters. */
function lineCount(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

/** Why a link from `file` to `target` is broken, or undefined when it leads somewhere. */
function linkProblem(file: string, target: string): string | undefined {
  const [pathPart = '', anchor] = target.split('#', 2);
  const targetFile = pathPart === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURI(pathPart));
  const shown = relative(ROOT, targetFile);
  if (!existsSync(targetFile)) return `${target}: there is no ${shown}`;
  if (anchor === undefined || !targetFile.endsWith('.md')) return undefined;
  const anchors = headingAnchors(splitFencedCode(readFileSync(targetFile, 'utf8')).prose);
  return anchors.has(anchor) ? undefined : `${target}: ${shown} has no heading #${anchor}`;
}

describe('the README', () => {
  it(`is a front door: at most ${README_MAX_LINES} lines, the rest in docs/`, () => {
    expect(lineCount(read('README.md'))).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe.each(DOC_FILES)('%s', (file) => {
  const parts = splitFencedCode(read(file));

  it('links only to files that exist, and to headings they have', () => {
    const broken = relativeLinks(parts.prose).flatMap((target) => linkProblem(file, target) ?? []);
    expect(broken).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    const created = FILES_A_WALKTHROUGH_CREATES[file] ?? [];
    const missing = repoPaths(parts).filter((path) => !exists(path) && !created.includes(path));
    expect(missing).toEqual([]);
  });
});

describe.each(Object.entries(FILES_A_WALKTHROUGH_CREATES))(
  'the files %s walks the reader through creating',
  (file, paths) => {
    it('are named there and do not exist yet (otherwise take them off the list)', () => {
      const named = repoPaths(splitFencedCode(read(file)));
      expect(paths.filter((path) => !named.includes(path) || exists(path))).toEqual([]);
    });
  },
);

describe('docs/playbooks.md', () => {
  it('lists every action in lambdas/actions/ in its Actions table', () => {
    const actions = readdirSync(join(ROOT, 'lambdas', 'actions'))
      .filter((name) => name.endsWith('.ts') && name !== 'registry.ts')
      .map((name) => name.replace(/\.ts$/, ''));
    const section =
      read('docs/playbooks.md')
        .split(/^## /m)
        .find((part) => part.startsWith('Actions\n')) ?? '';
    const rows = new Set([...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]));
    expect(actions.filter((action) => !rows.has(action))).toEqual([]);
  });
});

describe('the docs checker', () => {
  it('finds repository paths in code spans and code blocks, up to a placeholder', () => {
    const parts = splitFencedCode(
      [
        'See `lambdas/aws/session-policy.ts`, `test/cli/`, `playbooks/<id>.yaml` and `npm test`.',
        '```sh',
        'npm run simulate -- test/fixtures/events/guardduty/root.json',
        'cat lambdas/actions/<id>.ts https://example.com/lib/x.ts',
        '```',
      ].join('\n'),
    );
    expect(repoPaths(parts)).toEqual([
      'lambdas/aws/session-policy.ts',
      'test/cli/',
      'test/fixtures/events/guardduty/root.json',
      'lambdas/actions/',
    ]);
  });

  it('keeps links to other files and anchors, and leaves out URLs and code', () => {
    const prose = '[a](docs/x.md) [b](../README.md#top) [c](#here) [d](https://aws.amazon.com) `[e](nowhere.md)`';
    expect(relativeLinks(prose)).toEqual(['docs/x.md', '../README.md#top', '#here']);
  });

  it("makes GitHub's anchors, and none from a code block", () => {
    expect(headingSlug('Rehearse on a real account: plan --live')).toBe('rehearse-on-a-real-account-plan---live');
    expect(headingSlug('`compromised-iam-credentials`')).toBe('compromised-iam-credentials');
    const prose = splitFencedCode('## Alarms\n```sh\n# not a heading\n```\n## Alarms\n').prose;
    expect([...headingAnchors(prose)]).toEqual(['alarms', 'alarms-1']);
  });

  it('reports a missing file and a missing heading', () => {
    expect(linkProblem('README.md', 'docs/nowhere.md')).toBe('docs/nowhere.md: there is no docs/nowhere.md');
    expect(linkProblem('docs/design.md', 'security.md#no-such-heading')).toBe(
      'security.md#no-such-heading: docs/security.md has no heading #no-such-heading',
    );
    expect(linkProblem('docs/design.md', '../README.md#set-up-and-test')).toBeUndefined();
  });
});
