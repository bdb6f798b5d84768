/** What the docs tests read out of a Markdown file. Pure: text in, references out. */

/** The folders a repository path in the docs starts with. */
const REPO_FOLDERS = ['bin', 'lib', 'lambdas', 'test', 'bench', 'playbooks', 'docs', '.ci'];
const FOLDER_PATTERN = REPO_FOLDERS.map((folder) => folder.replace('.', '\\.')).join('|');

/** An inline code span that is exactly a repository path, such as `lambdas/aws/session-policy.ts` or `test/cli/`. */
const WHOLE_PATH = new RegExp(`^(?:${FOLDER_PATTERN})/[\\w./-]*$`);
/** A repository path inside a code block, up to the first character that cannot be in one (a placeholder, a space). */
const PATH_IN_CODE = new RegExp(`(?<![\\w./-])((?:${FOLDER_PATTERN})/[\\w./-]*)`, 'g');

export interface MarkdownParts {
  /** The text with every fenced code block blanked (line numbers kept). */
  readonly prose: string;
  /** The contents of the fenced code blocks. */
  readonly codeBlocks: readonly string[];
}

export function splitFencedCode(markdown: string): MarkdownParts {
  const prose: string[] = [];
  const codeBlocks: string[] = [];
  let block: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      if (block) {
        codeBlocks.push(block.join('\n'));
        block = undefined;
      } else {
        block = [];
      }
      prose.push('');
    } else if (block) {
      block.push(line);
      prose.push('');
    } else {
      prose.push(line);
    }
  }
  return { prose: prose.join('\n'), codeBlocks };
}

function inlineCodeSpans(prose: string): string[] {
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
}

/** Link targets that are neither absolute URLs nor e-mail addresses: `docs/x.md`, `../README.md#a`, `#a`. */
export function relativeLinks(prose: string): string[] {
  const withoutCode = prose.replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Repository paths the file names: whole inline code spans, and paths inside code blocks. */
export function repoPaths(parts: MarkdownParts): string[] {
  const inline = inlineCodeSpans(parts.prose).filter((span) => WHOLE_PATH.test(span));
  const inCode = parts.codeBlocks.flatMap((block) => [...block.matchAll(PATH_IN_CODE)].map((match) => match[1]!));
  return [...new Set([...inline, ...inCode].map((path) => path.replace(/\.+$/, '')))];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor the file's headings make, with GitHub's -1, -2 suffixes for repeated headings. */
export function headingAnchors(prose: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = headingSlug(match[1]!);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}
