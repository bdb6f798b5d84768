import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { requestBinding } from '../../lambdas/identity/request-binding';
import { verifyCallerProof } from '../../lambdas/identity/verify-caller';
import { approveIncident, denyIncident } from '../../lib/cli/approve-incident';
import { ALICE, fakeSts } from '../identity/sts-principals';
import { FIXED_NOW, HOME_ACCOUNT } from '../support/settings';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

function setup(answer: { Payload?: unknown; FunctionError?: string }) {
  const sts = fakeSts(() => FIXED_NOW);
  // The approver's own credentials, as the CLI's Lambda client resolves them.
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: sts.credentials(ALICE.accessKeyId) });
  const mock = mockClient(lambda);
  mock.on(InvokeCommand).resolves({
    StatusCode: 200,
    ...(answer.FunctionError ? { FunctionError: answer.FunctionError } : {}),
    Payload: encode(answer.Payload),
  });
  const payloadSent = () =>
    JSON.parse(
      new TextDecoder().decode(mock.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array),
    ) as Record<string, unknown>;
  return { lambda, mock, sts, payloadSent };
}

describe('firebreak approve', () => {
  it('invokes the responder synchronously with the approval, the --by label, and a caller proof STS accepts for exactly this approval', async () => {
    const { lambda, mock, sts, payloadSent } = setup({
      Payload: {
        kind: 'approval',
        incidentId: 'i-1',
        result: 'already-decided',
        reason: 'the plan for this incident was denied by bob at T',
      },
    });
    const answer = await approveIncident({
      lambda,
      functionName: 'Firebreak-responder',
      incidentId: 'f/user/u/AKIA',
      label: 'alice',
      now: () => FIXED_NOW,
    });
    const input = mock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'Firebreak-responder', InvocationType: 'RequestResponse' });
    const { callerProof, ...request } = payloadSent();
    expect(request).toEqual({ firebreak: 'approve', incidentId: 'f/user/u/AKIA', label: 'alice' });
    const bound = { operation: 'approve', functionName: 'Firebreak-responder', request } as const;
    expect((callerProof as { headers: Record<string, string> }).headers['x-firebreak-request']).toBe(
      requestBinding(bound),
    );
    await expect(
      verifyCallerProof(callerProof, bound, {
        region: 'us-east-1',
        homeAccountId: HOME_ACCOUNT,
        fetch: sts.fetch,
        now: () => FIXED_NOW,
      }),
    ).resolves.toMatchObject({ arn: ALICE.arn });
    expect(answer).toEqual({
      ok: false,
      text: 'Not approved (already-decided): the plan for this incident was denied by bob at T',
    });
  });

  it('the proof is bound to the function name, also when --function is an ARN', async () => {
    const { lambda, payloadSent } = setup({ Payload: { kind: 'approval', result: 'not-found', reason: 'r' } });
    await approveIncident({
      lambda,
      functionName: `arn:aws:lambda:us-east-1:${HOME_ACCOUNT}:function:Firebreak-responder`,
      incidentId: 'i',
      now: () => FIXED_NOW,
    });
    const { callerProof, ...request } = payloadSent();
    expect((callerProof as { headers: Record<string, string> }).headers['x-firebreak-request']).toBe(
      requestBinding({ operation: 'approve', functionName: 'Firebreak-responder', request }),
    );
  });

  it('a refusal of the caller says so; a function error is reported, not taken for success', async () => {
    const refused = setup({
      FunctionError: 'Unhandled',
      Payload: {
        errorType: 'CallerNotAuthenticatedError',
        errorMessage:
          'Approval refused, nothing was changed: the caller is not authenticated. callerProof: signed by x',
      },
    });
    const answer = await approveIncident({ lambda: refused.lambda, functionName: 'f', incidentId: 'i' });
    expect(answer).toEqual({
      ok: false,
      text: 'Not approved: CallerNotAuthenticatedError: Approval refused, nothing was changed: the caller is not authenticated. callerProof: signed by x',
    });
    const { lambda } = setup({
      FunctionError: 'Unhandled',
      Payload: { errorType: 'ContainmentIncompleteError', errorMessage: 'iam-deactivate-access-key: AccessDenied' },
    });
    const failed = await approveIncident({ lambda, functionName: 'f', incidentId: 'i' });
    expect(failed.ok).toBe(false);
    expect(failed.text).toContain('ContainmentIncompleteError');
    expect(failed.text).toContain('AccessDenied');
  });
});

describe('firebreak deny', () => {
  it('invokes the responder with the denial and a caller proof bound to a denial, and says what the responder decided', async () => {
    const { lambda, sts, payloadSent } = setup({
      Payload: {
        kind: 'approval',
        incidentId: 'i-1',
        result: 'denied',
        reason: 'plan denied by arn:aws:sts::111122223333:assumed-role/IncidentResponder/alice at T',
      },
    });
    const answer = await denyIncident({
      lambda,
      functionName: 'Firebreak-responder',
      incidentId: 'i-1',
      now: () => FIXED_NOW,
    });
    const { callerProof, ...request } = payloadSent();
    expect(request).toEqual({ firebreak: 'deny', incidentId: 'i-1' });
    const bound = { operation: 'deny', functionName: 'Firebreak-responder', request } as const;
    await expect(
      verifyCallerProof(callerProof, bound, {
        region: 'us-east-1',
        homeAccountId: HOME_ACCOUNT,
        fetch: sts.fetch,
        now: () => FIXED_NOW,
      }),
    ).resolves.toMatchObject({ arn: ALICE.arn });
    expect(answer).toEqual({
      ok: true,
      text: 'Incident i-1: plan denied by arn:aws:sts::111122223333:assumed-role/IncidentResponder/alice at T.',
    });
    const decided = setup({ Payload: { kind: 'approval', result: 'already-decided', reason: 'approved by bob' } });
    expect(await denyIncident({ lambda: decided.lambda, functionName: 'f', incidentId: 'i' })).toEqual({
      ok: false,
      text: 'Not denied (already-decided): approved by bob',
    });
  });
});
