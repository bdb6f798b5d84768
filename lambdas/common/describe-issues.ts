import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini loads no locale: without this, every issue our schemas give no message for reads "Invalid input".
// Imported by name: the bundler cannot drop the other locales from z.locales.en().
z.config(en());

const MAX_VALUE_CHARS = 80;

/** Renders a value received in bad input for an error message, bounded so hostile input cannot flood logs. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function pathOf(path: readonly PropertyKey[], prefix = ''): string {
  const joined = path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
  if (!prefix) return joined || '(root)';
  return joined ? `${prefix}${joined.startsWith('[') ? '' : '.'}${joined}` : prefix;
}

/**
 * One line per problem: "<field>: <what is allowed>, got <value>".
 * `prefix` names where the input came from (a file, "detail", a config key).
 */
export function describeIssues(error: z.core.$ZodError, input: unknown, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const field = pathOf(issue.path, prefix);
    const received = showValue(valueAt(input, issue.path));
    return `${field}: ${issue.message}, got ${received}`;
  });
}
