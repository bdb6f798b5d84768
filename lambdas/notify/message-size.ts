import type { MessageAttributeValue } from '@aws-sdk/client-sns';

/**
 * Amazon SNS takes at most 262,144 bytes of UTF-8 per message (bytes, not characters). Every message attribute's
 * name, data type and value counts toward it, and a per-protocol (`MessageStructure: json`) message counts whole:
 * each protocol's value, JSON-escaped, inside the envelope. The subject (at most 100 characters) is counted here
 * too, to be safe.
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/** Room kept below the limit for anything SNS counts that this module does not measure. */
export const SNS_SAFETY_BYTES = 2_048;

/** The e-mail text never takes more than this: it appears twice in the envelope (`default` and `email`), and nobody reads more. */
export const TEXT_MAX_BYTES = 64 * 1024;

/** How much of each list (items) and each value (characters) a rendering keeps; the renderers' own bounds still apply. */
export interface RenderLimits {
  readonly items: number;
  readonly chars: number;
}

export const NO_LIMITS: RenderLimits = { items: Number.POSITIVE_INFINITY, chars: Number.POSITIVE_INFINITY };

/** Tried in order until a message fits: the first one keeps everything, the last one keeps only what is fixed. */
export const SHRINK_LEVELS: readonly RenderLimits[] = [
  NO_LIMITS,
  { items: 1_000, chars: 20_000 },
  { items: 300, chars: 8_000 },
  { items: 100, chars: 4_000 },
  { items: 30, chars: 2_000 },
  { items: 10, chars: 1_000 },
  { items: 3, chars: 500 },
  { items: 1, chars: 300 },
  { items: 0, chars: 200 },
];

export const SHORTENED_NOTE =
  'NOTE: this message was shortened to fit the SNS message size limit (256 KB); each cut list says how much it leaves out.';

export function utf8Bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** 1234567 -> "1,234,567". */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "... and 1,234 more steps (where)". */
export function moreLine(omitted: number, noun: string, where?: string): string {
  return `... and ${formatCount(omitted)} more ${noun}${where ? ` (${where})` : ''}`;
}

/** The first `max` items, and how many were left out. */
export function capList<T>(
  items: readonly T[],
  max: number,
): { readonly kept: readonly T[]; readonly omitted: number } {
  return items.length <= max
    ? { kept: items, omitted: 0 }
    : { kept: items.slice(0, Math.max(0, max)), omitted: items.length - Math.max(0, max) };
}

/** The per-protocol message: the text for e-mail (and any protocol not named), the JSON form for the machines and email-json. */
export function protocolEnvelope(text: string, json: string): string {
  return JSON.stringify({
    default: text,
    email: text,
    'email-json': json,
    sqs: json,
    lambda: json,
    http: json,
    https: json,
  });
}

/** A lower bound of the envelope's size, cheap to compute: escaping only adds bytes. */
export function envelopeAtLeast(text: string, json: string): number {
  return 2 * utf8Bytes(text) + 5 * utf8Bytes(json);
}

export function attributeBytes(attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, value]) =>
      sum + utf8Bytes(name) + utf8Bytes(value.DataType ?? '') + utf8Bytes(value.StringValue ?? ''),
    0,
  );
}

/** Bytes the message itself may take, beside this subject and these attributes. */
export function messageBudget(
  subject: string | undefined,
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): number {
  return SNS_MAX_MESSAGE_BYTES - SNS_SAFETY_BYTES - utf8Bytes(subject ?? '') - attributeBytes(attributes);
}

/** At most `max` characters, never splitting a surrogate pair, saying how much was cut. */
export function cutString(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = Math.max(0, max);
  if (end > 0 && /[\ud800-\udbff]/.test(value.charAt(end - 1))) end -= 1;
  return `${value.slice(0, end)}… (${formatCount(value.length - end)} more characters)`;
}

/** At most `maxBytes` bytes of UTF-8, cut at a character boundary. */
export function cutToBytes(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  let used = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Bytes(char);
    if (used + size > maxBytes) break;
    used += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/**
 * A text of whole lines within `maxBytes`: the first lines that fit, a line saying how many were cut, and the last
 * two (the closing rule and the footer that names the playbook and event). For messages without a renderer of their
 * own that knows which parts matter most.
 */
export function cutLines(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const lines = text.split('\n');
  const tail = lines.length > 4 ? lines.slice(-2) : [];
  const body = lines.slice(0, lines.length - tail.length);
  const reserve = utf8Bytes(tail.join('\n')) + 200;
  const kept: string[] = [];
  let used = 0;
  for (const line of body) {
    const size = utf8Bytes(line) + 1;
    if (used + size + reserve > maxBytes) {
      // A first line that is too long on its own is cut, so the message never loses its headline.
      if (kept.length === 0) kept.push(cutToBytes(line, Math.max(0, maxBytes - reserve)));
      break;
    }
    kept.push(line);
    used += size;
  }
  const omitted = body.length - kept.length;
  const note = moreLine(Math.max(omitted, 0), 'lines', 'cut to fit the SNS message size limit (256 KB)');
  return cutToBytes([...kept, note, ...tail].join('\n'), maxBytes);
}

export interface JsonCuts {
  readonly lists: { readonly path: string; readonly total: number; readonly kept: number }[];
  stringsShortened: number;
}

const LISTED_CUTS = 20;

/** What JSON.stringify writes for a value: toJSON applied; undefined, functions and symbols are absent (null in arrays). */
function jsonable(value: unknown): unknown {
  const plain =
    value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  return typeof plain === 'function' || typeof plain === 'symbol' ? undefined : plain;
}

/**
 * A JSON-serialisable value with every array cut to `limits.items` and every string to `limits.chars`; `cuts` says
 * where. Arrays keep their leading items, so the first steps stay as they were.
 */
export function shrinkJson(
  raw: unknown,
  limits: RenderLimits,
  cuts: JsonCuts = { lists: [], stringsShortened: 0 },
  path = '',
): unknown {
  const value = jsonable(raw);
  if (typeof value === 'string') {
    if (value.length <= limits.chars) return value;
    cuts.stringsShortened += 1;
    return cutString(value, limits.chars);
  }
  if (Array.isArray(value)) {
    const { kept } = capList(value, limits.items);
    if (kept.length < value.length) cuts.lists.push({ path: path || '(top)', total: value.length, kept: kept.length });
    return kept.map((item, index) => shrinkJson(item, limits, cuts, `${path}[${index}]`) ?? null);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => jsonable(item) !== undefined);
    return Object.fromEntries(
      entries.map(([key, item]) => [key, shrinkJson(item, limits, cuts, path ? `${path}.${key}` : key)]),
    );
  }
  return value;
}

/**
 * A lower bound of the characters (so of the UTF-8 bytes) of the JSON text `shrinkJson` would give, counted only
 * until it passes `cap`: a level that cannot fit is skipped without building it.
 */
export function jsonCharsAtLeast(raw: unknown, limits: RenderLimits, cap: number): number {
  let total = 0;
  const visit = (node: unknown): void => {
    if (total > cap) return;
    const value = jsonable(node);
    if (typeof value === 'string') total += Math.min(value.length, limits.chars) + 2;
    else if (Array.isArray(value)) {
      total += 2;
      const count = Math.min(value.length, limits.items);
      for (let index = 0; index < count && total <= cap; index += 1) visit(value[index]);
    } else if (value !== null && typeof value === 'object') {
      total += 2;
      for (const [key, item] of Object.entries(value)) {
        if (total > cap) return;
        total += key.length + 3;
        visit(item);
      }
    } else total += 1;
  };
  visit(raw);
  return total;
}

/** The JSON text of a plain object cut to `limits`, with a `truncated` member saying what was cut (absent when nothing was). */
export function shrunkJsonText(value: Record<string, unknown>, limits: RenderLimits): string {
  if (limits === NO_LIMITS) return JSON.stringify(value);
  const cuts: JsonCuts = { lists: [], stringsShortened: 0 };
  const shrunk = shrinkJson(value, limits, cuts) as Record<string, unknown>;
  if (cuts.lists.length === 0 && cuts.stringsShortened === 0) return JSON.stringify(value);
  // The shallowest cuts first: `steps` and `release` before the lists inside one step.
  const depth = (path: string) => (path.match(/[.[]/g) ?? []).length;
  const lists = [...cuts.lists].sort((a, b) => depth(a.path) - depth(b.path));
  const truncated = {
    reason:
      `shortened to fit the SNS message size limit (${formatCount(SNS_MAX_MESSAGE_BYTES)} bytes): ` +
      `lists keep their first ${limits.items} items, strings their first ${limits.chars} characters`,
    lists: lists.slice(0, LISTED_CUTS),
    ...(cuts.lists.length > LISTED_CUTS ? { moreLists: cuts.lists.length - LISTED_CUTS } : {}),
    stringsShortened: cuts.stringsShortened,
  };
  return JSON.stringify({ ...shrunk, truncated });
}
