/** Inline deny policies Firebreak writes. The names are fixed so that re-runs find them and release removes only these. */
export const FIREBREAK_POLICY_PREFIX = 'firebreak-';
export const SESSIONS_ISSUED_BEFORE_POLICY = 'firebreak-deny-sessions-issued-before';
export const SESSION_POLICY_PREFIX = 'firebreak-deny-session-';

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Record<string, unknown>[];
}

/** Second precision, UTC: the form the IAM docs show for `aws:TokenIssueTime`. */
export function iamTimestamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Denies every request signed with temporary credentials issued before `issuedBefore` (the console's "Revoke active sessions"). */
export function denySessionsIssuedBefore(issuedBefore: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FirebreakDenySessionsIssuedBefore',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
      },
    ],
  };
}

/** Denies one role session (`aws:userid` is `<roleId>:<sessionName>` for an assumed role), leaving the role's other sessions working. */
export function denyOneSession(userId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FirebreakDenyOneSession',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:userid': userId } },
      },
    ],
  };
}

/** IAM returns inline policy documents URL-encoded. */
export function decodePolicyDocument(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The cut-off of a Firebreak sessions-issued-before policy, or undefined if the document is not one. */
export function issuedBeforeOf(document: string): string | undefined {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    for (const statement of statements as {
      Effect?: string;
      Condition?: { DateLessThan?: Record<string, unknown> };
    }[]) {
      const value =
        statement?.Effect === 'Deny' ? statement.Condition?.DateLessThan?.['aws:TokenIssueTime'] : undefined;
      if (typeof value === 'string') return value;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Compares two documents by content, ignoring key order and whitespace differences IAM may introduce. */
export function sameDocument(document: string, expected: PolicyDocument): boolean {
  try {
    return canonical(JSON.parse(document)) === canonical(expected);
  } catch {
    return false;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
