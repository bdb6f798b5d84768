import type { FakeEc2 } from './fake-ec2';
import type { FakeIam } from './fake-iam';

interface RecordingMock {
  calls(): readonly { args: readonly unknown[] }[];
  resetHistory(): void;
}

/** Every service the fakes stand in for, by its IAM prefix; a new service's fake adds one line here. */
function mocksOf(iam: FakeIam, ec2: FakeEc2): readonly (readonly [string, RecordingMock])[] {
  return [
    ['iam', iam.mock],
    ['ec2', ec2.ec2Mock],
    ['autoscaling', ec2.autoScalingMock],
  ];
}

/** The calls made through the fakes, as IAM actions (`ec2:DescribeInstances`), in order per service. */
export function recordedCalls(iam: FakeIam, ec2: FakeEc2): string[] {
  return mocksOf(iam, ec2).flatMap(([service, mock]) =>
    mock.calls().map((call) => `${service}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
  );
}

export function forgetRecordedCalls(iam: FakeIam, ec2: FakeEc2): void {
  for (const [, mock] of mocksOf(iam, ec2)) mock.resetHistory();
}
