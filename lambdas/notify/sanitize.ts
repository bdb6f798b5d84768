// Values from findings are attacker-influenced (user names, user agents, session names): they must not forge
// lines in a message or a subject, nor carry markup into a chat or HTML mail client.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of at most `max` characters: control characters and line breaks become spaces. */
export function oneLine(value: string, max = 300): string {
  if (max <= 0) return '';
  const flat = value.replace(CONTROL, ' ').replace(/\s{2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** SNS subjects: printable ASCII, no line breaks, at most 100 characters, starting with a letter, digit or punctuation. */
export function snsSubject(value: string): string {
  const ascii = oneLine(value, 1000).replace(/[^\x20-\x7e]/g, '?');
  const trimmed = ascii.replace(/^[^\x21-\x7e]+/, '');
  return trimmed.length > 100 ? `${trimmed.slice(0, 97)}...` : trimmed;
}
