import { cycles, folderGraph, importGraph, importsOf } from '../support/import-graph';

const graph = importGraph(['lambdas', 'lib', 'bin']);
const edges = [...graph].flatMap(([from, targets]) => targets.map((target) => ({ from, target })));

/** `lambdas/pipeline/gate.ts` -> `lambdas/pipeline`; `lib/config.ts` -> `lib`; `bin/app.ts` -> `bin`. */
function part(file: string): string {
  const segments = file.split('/');
  return segments.length > 2 ? segments.slice(0, 2).join('/') : segments[0]!;
}

describe('the import graph', () => {
  it('has no cycle between files', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('has no cycle between folders (lambdas/*, lib/constructs, lib/cli, lib, bin)', () => {
    expect(cycles(folderGraph(graph, part)).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('runtime code never imports lib/, bin/ or the tests: what runs in Lambda stands alone', () => {
    const upward = edges.filter(({ from, target }) => from.startsWith('lambdas/') && !target.startsWith('lambdas/'));
    expect(upward.map(({ from, target }) => `${from} -> ${target}`)).toEqual([]);
  });

  it('the contracts (model) and the bottom layers (aws, common) import nothing above them', () => {
    const allowed: Record<string, readonly string[]> = {
      'lambdas/model': ['lambdas/model', 'lambdas/common', 'lambdas/aws'],
      'lambdas/common': ['lambdas/common'],
      'lambdas/aws': ['lambdas/aws'],
    };
    const wrong = edges.filter(({ from, target }) => {
      const permitted = allowed[part(from)];
      return permitted !== undefined && !permitted.includes(part(target));
    });
    expect(wrong.map(({ from, target }) => `${from} -> ${target}`)).toEqual([]);
  });

  it('actions and kinds reach the pipeline, notify and the ledger only through the model', () => {
    const wrong = edges.filter(
      ({ from, target }) =>
        ['lambdas/actions', 'lambdas/kinds'].includes(part(from)) &&
        ['lambdas/pipeline', 'lambdas/notify', 'lambdas/ledger', 'lambdas/handlers'].includes(part(target)),
    );
    expect(wrong.map(({ from, target }) => `${from} -> ${target}`)).toEqual([]);
  });

  it('only the entry points (bin/) import the handlers, and what is deployed never imports what a person runs', () => {
    const wrong = edges.filter(
      ({ from, target }) =>
        (part(target) === 'lambdas/handlers' && !from.startsWith('bin/') && part(from) !== 'lambdas/handlers') ||
        (part(from) === 'lib/constructs' && part(target) === 'lib/cli'),
    );
    expect(wrong.map(({ from, target }) => `${from} -> ${target}`)).toEqual([]);
  });
});

describe('the import graph checker', () => {
  it('finds a cycle it is shown, and none in a chain', () => {
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "const d = require('./d.cjs');",
      "import('node:fs'); import x from 'zod';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a', '../b', './c', './d.cjs']);
  });
});
