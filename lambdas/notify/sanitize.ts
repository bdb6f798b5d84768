// Values from findings are attacker-influenced (user names, user agents, session names, tags): they must not forge
// lines in a message or a subject, nor carry markup into a chat or HTML mail client, nor hide or reorder text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Characters that render as nothing, or change how the text around them reads: every Unicode format character (Cf:
 * bidirectional embeddings, overrides, isolates and marks U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, the Arabic
 * letter mark U+061C, zero-width spaces and joiners, the soft hyphen, the BOM, interlinear annotations, the invisible
 * tag characters U+E0000-U+E007F) and every default-ignorable code point (what a renderer shows as nothing: the
 * combining grapheme joiner, Hangul fillers, Khmer invisible vowels, Mongolian and other variation selectors).
 */
const INVISIBLE_SOURCE = '[\\p{Cf}\\p{Default_Ignorable_Code_Point}]';
const INVISIBLE = new RegExp(INVISIBLE_SOURCE, 'gu');

/** Matches a string holding at least one invisible character (no global state: safe for `test`). */
export const INVISIBLE_CHARACTERS = new RegExp(INVISIBLE_SOURCE, 'u');

/** The value without invisible and bidirectional control characters (the chat sanitizer drops the same set). */
export function stripInvisible(value: string): string {
  return value.replace(INVISIBLE, '');
}

/** One line of at most `max` characters: invisible characters dropped, control characters and line breaks become spaces. */
export function oneLine(value: string, max = 300): string {
  if (max <= 0) return '';
  const flat = stripInvisible(value)
    .replace(CONTROL, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** SNS subjects: printable ASCII, no line breaks, at most 100 characters, starting with a letter, digit or punctuation. */
export function snsSubject(value: string): string {
  const ascii = oneLine(value, 1000).replace(/[^\x20-\x7e]/g, '?');
  const trimmed = ascii.replace(/^[^\x21-\x7e]+/, '');
  return trimmed.length > 100 ? `${trimmed.slice(0, 97)}...` : trimmed;
}

// Line breaks SNS e-mail and every mail client honour; anything else that breaks or controls a line goes.
// eslint-disable-next-line no-control-regex
const TEXT_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * The last pass over a whole multi-line text a person reads: `\n` is the only line break and the only control left;
 * invisible characters are dropped. Idempotent, so every renderer can end with it and the publisher can apply it again.
 */
export function personText(text: string): string {
  return stripInvisible(text.replace(/\r\n|[\r\u2028\u2029\u0085]/g, '\n')).replace(TEXT_CONTROL, ' ');
}

function codePoint(char: string): string {
  return `<U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * A command to copy, on one line, never silently changed: dropping a hidden character would give a command that
 * does something else, and keeping it lets it reorder what the reader sees. Each invisible or control character
 * (and each lone surrogate) is shown as `<U+XXXX>` instead, and `hidden` counts them so the caller can warn.
 * At most `max` characters: a longer command is cut with `…` (as `oneLine` does).
 */
export function visibleCommand(command: string, max = 2000): { readonly text: string; readonly hidden: number } {
  let hidden = 0;
  const shown = command.replace(
    new RegExp(`${INVISIBLE_SOURCE}|[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]|[\\ud800-\\udfff]`, 'gu'),
    (char) => {
      hidden += 1;
      return codePoint(char);
    },
  );
  if (max <= 0) return { text: '', hidden };
  return { text: shown.length > max ? `${shown.slice(0, max - 1)}…` : shown, hidden };
}

// Only ever inside JSON strings: JSON's own syntax is ASCII.
const JSON_RAW = new RegExp(`${INVISIBLE_SOURCE}|[\\u2028\\u2029]`, 'gu');

/**
 * JSON text for a person's eyes too (e-mail-json subscribers read it): every invisible character and line separator
 * is written as its `\uXXXX` escape. The JSON value is unchanged (a machine reads the exact strings); the text shows
 * no character that hides or reorders what follows.
 */
export function escapeInvisibleInJson(json: string): string {
  // An astral character (a tag character) becomes its two UTF-16 escapes, as JSON requires.
  return json.replace(JSON_RAW, (char) =>
    char
      .split('')
      .map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  );
}
