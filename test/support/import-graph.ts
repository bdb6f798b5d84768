import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

/** Every relative import of every TypeScript file under the given repository folders, resolved to repo paths. */
export function importGraph(folders: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of folders.flatMap((folder) => sourceFiles(join(REPO_ROOT, folder)))) {
    const from = relative(REPO_ROOT, file);
    graph.set(
      from,
      importsOf(readFileSync(file, 'utf8')).flatMap((specifier) => resolveImport(from, specifier)),
    );
  }
  return graph;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? '').filter((spec) => spec.startsWith('.'));
}

function resolveImport(from: string, specifier: string): string[] {
  const base = normalize(join(dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}.cjs`, join(base, 'index.ts')]) {
    try {
      if (statSync(join(REPO_ROOT, candidate)).isFile()) return [candidate];
    } catch {
      // try the next extension
    }
  }
  throw new Error(`${from}: import ${JSON.stringify(specifier)} resolves to no file`);
}

/** The folder a file belongs to, `depth` levels deep: `lambdas/pipeline/gate.ts` -> `lambdas/pipeline` at depth 2. */
export function folderOf(file: string, depth = 2): string {
  return file
    .split('/')
    .slice(0, depth)
    .join('/')
    .replace(/\.(ts|cjs)$/, '');
}

/** Collapses a file graph into a graph of folders, without self-edges. */
export function folderGraph(graph: Map<string, string[]>, folder = folderOf): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const edges = folders.get(folder(from)) ?? new Set<string>();
    for (const target of targets) if (folder(target) !== folder(from)) edges.add(folder(target));
    folders.set(folder(from), edges);
  }
  return folders;
}

/** Every cycle found by a depth-first search, each as the path that closes it (a -> b -> a). */
export function cycles(graph: Map<string, Iterable<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}
