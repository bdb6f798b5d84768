import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { approveIncident } from '../../lib/approve-incident';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

function setup(answer: { Payload?: unknown; FunctionError?: string }) {
  const lambda = new LambdaClient({ region: 'us-east-1' });
  const mock = mockClient(lambda);
  mock.on(InvokeCommand).resolves({ StatusCode: 200, ...(answer.FunctionError ? { FunctionError: answer.FunctionError } : {}), Payload: encode(answer.Payload) });
  return { lambda, mock };
}

describe('firebreak approve', () => {
  it('invokes the responder synchronously with the approval and who gives it', async () => {
    const { lambda, mock } = setup({ Payload: { kind: 'approval', incidentId: 'i-1', result: 'already-decided', reason: 'the plan for this incident was denied by bob at T' } });
    const answer = await approveIncident({ lambda, functionName: 'Firebreak-responder', incidentId: 'f/user/u/AKIA', approvedBy: 'alice' });
    const input = mock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'Firebreak-responder', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ firebreak: 'approve', incidentId: 'f/user/u/AKIA', approvedBy: 'alice' });
    expect(answer).toEqual({ ok: false, text: 'Not approved (already-decided): the plan for this incident was denied by bob at T' });
  });

  it('a function error is reported, not taken for success', async () => {
    const { lambda } = setup({ FunctionError: 'Unhandled', Payload: { errorType: 'ContainmentIncompleteError', errorMessage: 'iam-deactivate-access-key: AccessDenied' } });
    const answer = await approveIncident({ lambda, functionName: 'f', incidentId: 'i', approvedBy: 'alice' });
    expect(answer.ok).toBe(false);
    expect(answer.text).toContain('ContainmentIncompleteError');
    expect(answer.text).toContain('AccessDenied');
  });
});
