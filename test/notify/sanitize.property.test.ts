import fc from 'fast-check';
import { chatCode, chatPlain } from '../../lambdas/notify/chat-sanitize';
import type { Outcome } from '../../lambdas/model/outcome';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { CHAT_LIMITS, renderChat } from '../../lambdas/notify/render-chat';
import {
  escapeInvisibleInJson,
  INVISIBLE_CHARACTERS,
  oneLine,
  personText,
  snsSubject,
  visibleCommand,
} from '../../lambdas/notify/sanitize';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, responderSettings } from '../support/settings';

// Property-based tests of the two sanitizers every attacker-influenced value goes through before it reaches a
// message line or an SNS subject.

/** Line breaks, tabs, C0 and C1 controls, U+2028 / U+2029: none may survive oneLine. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Characters that render as nothing or reorder what follows: none may reach a person. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

const HARD_CHARS = [
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009b',
  '\u009f',
  '\u2028',
  '\u2029',
  ' ',
  '  ',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u200b',
  '\u202e',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '😀',
  'é',
  'e\u0301',
  '漢',
  '…',
  '?',
  '-',
  '.',
  // Bidirectional controls and other invisible format characters (Trojan Source, tag-character smuggling).
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
  '\u00ad',
  '\u180e',
  '\u2060',
  '\u2064',
  '\u206f',
  '\ufff9',
  '\ufffb',
  '\u{e0001}',
  '\u{e0041}',
  '\u{e007f}',
  '\ufe0f',
  '\u034f',
  '\u3164',
];

/** Characters that are hard on a sanitizer: every kind of line break, space and control, bidi marks, lone surrogates, astral. */
const hardChar = fc.oneof(
  { arbitrary: fc.constantFrom(...HARD_CHARS), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code)), weight: 2 }, // all C0, ASCII, C1
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), weight: 3 },
);

const hostileText = fc.oneof(
  { arbitrary: fc.string({ unit: hardChar, maxLength: 300 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
  { arbitrary: fc.string({ maxLength: 300 }), weight: 1 },
  // Long values built from a short unit: past every bound the callers use (80 to 2000).
  {
    arbitrary: fc
      .tuple(fc.string({ unit: hardChar, minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5_000 }))
      .map(([unit, times]) => unit.repeat(times)),
    weight: 1,
  },
);

/** The bounds the renderers pass (80, 300, 400, 600, 1000, 1200, 2000), the edges, and anything in between. */
const max = fc.oneof(
  fc.constantFrom(1, 2, 3, 80, 100, 300, 400, 600, 1000, 1200, 2000),
  fc.integer({ min: 1, max: 2_500 }),
);

const RUNS = 3_000;

describe('oneLine (property-based)', () => {
  it('never returns a line break, tab, C0/C1 control, U+2028 or U+2029', () => {
    fc.assert(
      fc.property(hostileText, max, (value, bound) => {
        expect(oneLine(value, bound)).not.toMatch(FORBIDDEN);
        expect(oneLine(value)).not.toMatch(FORBIDDEN);
      }),
      { numRuns: RUNS },
    );
  });

  it('never returns a bidirectional control or another invisible format character', () => {
    fc.assert(
      fc.property(hostileText, max, (value, bound) => {
        expect(oneLine(value, bound)).not.toMatch(INVISIBLE);
      }),
      { numRuns: RUNS },
    );
  });

  it('never exceeds max characters (300 by default)', () => {
    fc.assert(
      fc.property(hostileText, max, (value, bound) => {
        expect(oneLine(value, bound).length).toBeLessThanOrEqual(bound);
        expect(oneLine(value).length).toBeLessThanOrEqual(300);
      }),
      { numRuns: RUNS },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostileText, max, (value, bound) => {
        const once = oneLine(value, bound);
        expect(oneLine(once, bound)).toBe(once);
        expect(oneLine(oneLine(value))).toBe(oneLine(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps a value that is already one clean line', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[!-~]( ?[!-~])*$/), (value) => {
        expect(oneLine(value, value.length)).toBe(value);
      }),
      { numRuns: RUNS / 3 },
    );
  });

  // Regression: fast-check's minimal counterexample ["!", 0] once gave "…" (a negative slice end counts from the end).
  it('never exceeds max characters, even for max 0', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
        fc.constant(0),
        (value, bound) => {
          expect(oneLine(value, bound).length).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('snsSubject (property-based)', () => {
  it('drops invisible characters instead of showing them as ?', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[!-~]{1,40}$/),
        fc.array(fc.constantFrom('\u202e', '\u2066', '\u200f', '\u061c', '\u{e0041}', '\ufeff'), {
          minLength: 1,
          maxLength: 5,
        }),
        (value, marks) => {
          expect(snsSubject(`${value.slice(0, 1)}${marks.join('')}${value.slice(1)}`)).toBe(snsSubject(value));
        },
      ),
      { numRuns: RUNS / 3 },
    );
  });

  it('is at most 100 printable ASCII characters, never starting with a space', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const subject = snsSubject(value);
        expect(subject.length).toBeLessThanOrEqual(100);
        expect(subject).toMatch(/^[\x20-\x7e]*$/);
        expect(subject.startsWith(' ')).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('holds for subjects built like renderSubject builds them, with hostile parts', () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 4 }), (parts) => {
        const subject = snsSubject(['Firebreak SIMULATED: ACTION REQUIRED', ...parts].join(' | '));
        expect(subject.length).toBeLessThanOrEqual(100);
        expect(subject).toMatch(/^[\x20-\x7e]*$/);
        expect(subject.startsWith('Firebreak SIMULATED: ACTION REQUIRED')).toBe(true);
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        expect(snsSubject(snsSubject(value))).toBe(snsSubject(value));
      }),
      { numRuns: RUNS },
    );
  });
});

/** Markup chat clients act on, and characters that hide or reorder text. */
const CHAT_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[<>`*~\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|\]\(/;

describe('chatPlain and chatCode (property-based)', () => {
  it('never return markup, a mention, a link, a control or an invisible character, and stay within max', () => {
    fc.assert(
      fc.property(hostileText, max, (value, bound) => {
        const plain = chatPlain(value, bound);
        expect(plain).not.toMatch(CHAT_FORBIDDEN);
        expect(plain).not.toMatch(INVISIBLE);
        expect(plain.length).toBeLessThanOrEqual(bound);
        const code = chatCode(value, bound);
        expect(code).toMatch(/^`[^`]*`$/);
        expect(code.slice(1, -1)).not.toMatch(CHAT_FORBIDDEN);
        expect(code.length).toBeLessThanOrEqual(Math.max(bound, 1) + 2);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('renderChat (property-based)', () => {
  let base: Outcome;
  beforeAll(async () => {
    base = await runPlaybook(loadFinding('guardduty/iam-user-long-term-key'), {
      settings: responderSettings(),
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
  });

  it('keeps its shape and bounds whatever the finding says: hostile type, user agent, source, reason and steps', () => {
    const baseline = renderChat(base).content.description.split('\n').length;
    fc.assert(
      fc.property(
        fc.array(hostileText, { minLength: 6, maxLength: 6 }),
        ([type, userAgent, country, reason, summary, manual]) => {
          const finding = {
            ...base.finding,
            type: type!,
            activity: { ...base.finding.activity, userAgent: userAgent!, sourceCountry: country! },
          };
          const outcome: Outcome = {
            ...base,
            finding,
            reason: reason!,
            steps: base.steps.map((step) => ({ ...step, summary: summary! })),
            manualSteps: [manual!],
          };
          const message = renderChat(outcome);
          const { title, description, nextSteps, keywords } = message.content;
          expect(title.length).toBeLessThanOrEqual(CHAT_LIMITS.title);
          expect(description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
          // No value adds a line (an empty one may drop its own): never more lines than for a benign finding.
          expect(description.split('\n').length).toBeLessThanOrEqual(baseline);
          expect(nextSteps.length).toBeLessThanOrEqual(CHAT_LIMITS.nextSteps);
          for (const step of nextSteps) expect(step).not.toMatch(/[\n\r\u2028\u2029<>]/);
          for (const keyword of keywords) expect(keyword).not.toMatch(CHAT_FORBIDDEN);
          expect(title).not.toMatch(/[<>`\n]/);
          // Every code span in the description is closed on its line: a value cannot open or close one.
          for (const line of description.split('\n')) expect((line.match(/`/g) ?? []).length % 2).toBe(0);
          for (const value of Object.values(message.metadata.additionalContext))
            expect(value).not.toMatch(CHAT_FORBIDDEN);
        },
      ),
      { numRuns: RUNS / 3 },
    );
  });
});

describe('personText (property-based): whole multi-line texts', () => {
  const multiline = fc.array(hostileText, { maxLength: 8 }).map((lines) => lines.join('\n'));

  it('keeps line breaks as its only control, drops every invisible character, and is idempotent', () => {
    fc.assert(
      fc.property(multiline, (value) => {
        const text = personText(value);
        // eslint-disable-next-line no-control-regex
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
        expect(text).not.toMatch(INVISIBLE);
        expect(personText(text)).toBe(text);
        expect(text.split('\n').length).toBeLessThanOrEqual(value.split(/\r\n|[\n\r\u2028\u2029\u0085]/).length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('visibleCommand (property-based)', () => {
  it('one line, nothing invisible, and a command without hidden characters is shown exactly', () => {
    fc.assert(
      fc.property(hostileText, (command) => {
        const shown = visibleCommand(command, Number.POSITIVE_INFINITY);
        expect(shown.text).not.toMatch(FORBIDDEN);
        expect(shown.text).not.toMatch(INVISIBLE);
        if (!FORBIDDEN.test(command) && !INVISIBLE.test(command) && !/[\ud800-\udfff]/u.test(command)) {
          expect(shown).toEqual({ text: command, hidden: 0 });
        } else {
          expect(shown.hidden).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('escapeInvisibleInJson (property-based)', () => {
  it('the same JSON value, with no invisible or line-separator character left raw in the text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(hostileText, { maxLength: 4 }), (value, strings) => {
        const original = { value, strings };
        const json = escapeInvisibleInJson(JSON.stringify(original));
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(original)));
        expect(json).not.toMatch(INVISIBLE);
        expect(json).not.toMatch(/[\u2028\u2029]/);
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it('covers the characters the chat sanitizer strips', () => {
    for (const char of [
      '\u00ad',
      '\u061c',
      '\u180e',
      '\u200b',
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202e',
      '\u2060',
      '\u2066',
      '\u2069',
      '\ufeff',
    ]) {
      expect(char).toMatch(INVISIBLE_CHARACTERS);
    }
  });
});
