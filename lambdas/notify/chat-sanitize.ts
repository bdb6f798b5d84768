import { INVISIBLE_CHARACTERS, oneLine, stripInvisible } from './sanitize';

// Chat clients render markup: Slack's <!channel>, <@U123> and <url|text>, Markdown links [text](url), emphasis and
// code spans. Values taken from findings (user names, user agents, session names) are attacker-influenced, so none
// of that may survive. Invisible and bidirectional controls go too: they can make a value read as something else
// (the same set as every other message, from sanitize.ts).

function unmarked(value: string): string {
  return stripInvisible(value)
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/`/g, "'")
    .replace(/\*/g, '∗')
    .replace(/~/g, '∼')
    .replace(/\]\(/g, '] (');
}

/** Plain chat text: one line of at most `max` characters, no markup, no mention, no link syntax. */
export function chatPlain(value: string, max = 300): string {
  return oneLine(unmarked(oneLine(value, max * 2)), max);
}

/** A value in a code span (shown literally by Slack and Teams): one line, at most `max` characters inside. */
export function chatCode(value: string, max = 300): string {
  const inner = chatPlain(value, max);
  return inner === '' ? '`-`' : `\`${inner}\``;
}

/**
 * A command to copy, in a code span, or undefined when it cannot be shown exactly: a command is never altered,
 * because a changed command would do something else.
 */
export function chatCommand(command: string, max = 900): string | undefined {
  if (
    command.length > max ||
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    /[`<>\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(command) ||
    INVISIBLE_CHARACTERS.test(command)
  )
    return undefined;
  return `\`${command}\``;
}

/** Identifiers for metadata (thread id, event id): letters, digits and `._:-` only. */
export function chatId(value: string, max = 128): string {
  return value.replace(/[^\w.:-]/g, '-').slice(0, max);
}
