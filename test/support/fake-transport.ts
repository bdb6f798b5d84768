import * as AutoScalingSdk from '@aws-sdk/client-auto-scaling';
import * as Ec2Sdk from '@aws-sdk/client-ec2';
import * as IamSdk from '@aws-sdk/client-iam';
import * as StsSdk from '@aws-sdk/client-sts';
import type { HandlerExecutionContext } from '@smithy/types';
import type { HasMiddlewareStack } from '../../lambdas/aws/read-only-guard';

/** A client that answers commands: a stateful fake or an aws-sdk-client-mock stub. */
interface Answering {
  send(command: unknown): Promise<unknown>;
}

const MODULES: Record<string, Record<string, unknown>> = {
  IAMClient: IamSdk,
  EC2Client: Ec2Sdk,
  AutoScalingClient: AutoScalingSdk,
  STSClient: StsSdk,
};

/**
 * A fake transport for real SDK clients: the last initialize middleware hands each command to a fake of the same
 * service instead of serializing, signing and sending it. Everything before it (the read-only guard) runs for real,
 * and nothing can reach AWS: a client with no fake fails the test.
 */
export function fakeTransport(
  fakes: Partial<Record<'IAMClient' | 'EC2Client' | 'AutoScalingClient' | 'STSClient', Answering>>,
) {
  return (client: HasMiddlewareStack): void => {
    client.middlewareStack.add(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic over every command
      (_next: unknown, context: HandlerExecutionContext) => async (args: { input: any }) => {
        const clientName = context.clientName ?? '';
        const fake = fakes[clientName as keyof typeof fakes];
        const commandName = context.commandName ?? '';
        const Command = MODULES[clientName]?.[commandName] as (new (input: unknown) => unknown) | undefined;
        if (!fake || !Command) throw new Error(`no fake for ${clientName}.${commandName}: a test must never reach AWS`);
        return { output: await fake.send(new Command(args.input)), response: {} };
      },
      { step: 'initialize', priority: 'low', name: 'fakeTransport' },
    );
  };
}
