/**
 * The anchor design in the same latency model: AWS's GuardDuty automated-response sample
 * (aws-samples/amazon-guardduty-automated-response-sample @ 5a80510; /work/shared/research/anchors.md, section 3b).
 * Its EC2 branch is one Lambda that runs 11 plugins in sequence (src/quarantine/lambda_handler.py), each making its
 * boto3 calls one after another and publishing its own SNS message (sns.publish after each plugin that returns one),
 * then a final "successfully quarantined" message. Every call below is one sequential round trip, as every AWS call
 * is in our bench; the sleeps are the sample's own.
 *
 * Assumptions, all in the sample's favour: the clock starts when the Lambda handler starts (the Step Functions
 * start, Choice state and Lambda invoke before it are not counted); the instance has no load balancer (one Describe
 * each for ELB and ELBv2, nothing to deregister); the quarantine group is created (the sample looks for a group
 * tagged with this instance id, so every incident creates its own); the SSM command's waiter succeeds on its first
 * poll. Its IAM branch is Step Functions: one PutUserPolicy or PutRolePolicy (a TokenIssueTime deny), then a
 * Publish; Config findings it does not handle.
 */
export interface AnchorStep {
  readonly plugin: string;
  readonly call?: string;
  /** A sleep in the sample's code, in ms. */
  readonly sleepMs?: number;
  readonly marks?: 'effective' | 'credentials' | 'done';
}

const call = (plugin: string, name: string, marks?: AnchorStep['marks']): AnchorStep => ({
  plugin,
  call: name,
  ...(marks ? { marks } : {}),
});
const publish = (plugin: string): AnchorStep => call(plugin, 'sns:Publish');

/** The EC2 branch for an instance with one interface, two volumes, an instance profile, in an Auto Scaling group. */
export function anchorEc2Steps(ssmManaged: boolean): AnchorStep[] {
  const ssm: AnchorStep[] = ssmManaged
    ? [
        call('08_command_output', 'ec2:AssociateIamInstanceProfile'),
        // "wait 5 seconds for the instance profile to stabilize"
        { plugin: '08_command_output', sleepMs: 5_000 },
        call('08_command_output', 'ssm:SendCommand'),
        call('08_command_output', 'ssm:GetCommandInvocation'),
        // SSM_DRAIN_TIME_SECS: "wait ... for the output to be uploaded to S3"
        { plugin: '08_command_output', sleepMs: 10_000 },
        call('08_command_output', 'ec2:DescribeIamInstanceProfileAssociations'),
        call('08_command_output', 'ec2:DisassociateIamInstanceProfile'),
      ]
    : [];
  return [
    call('01_console_screenshot', 'ec2:GetConsoleScreenshot'),
    call('01_console_screenshot', 's3:PutObject'),
    publish('01_console_screenshot'),
    call('02_capture_metadata', 'ec2:DescribeInstances'),
    call('02_capture_metadata', 's3:PutObject'),
    publish('02_capture_metadata'),
    call('03_termination_protection', 'ec2:ModifyInstanceAttribute'),
    call('03_termination_protection', 'ec2:ModifyInstanceAttribute'),
    publish('03_termination_protection'),
    call('04_shutdown_behavior', 'ec2:ModifyInstanceAttribute'),
    publish('04_shutdown_behavior'),
    call('05_preserve_volumes', 'ec2:DescribeInstances'),
    call('05_preserve_volumes', 'ec2:ModifyInstanceAttribute'),
    publish('05_preserve_volumes'),
    call('06_tag_instance', 'ec2:CreateTags'),
    publish('06_tag_instance'),
    call('07_snapshot_volumes', 'ec2:DescribeInstances'),
    call('07_snapshot_volumes', 'ec2:CreateSnapshot'),
    call('07_snapshot_volumes', 'ec2:CreateSnapshot'),
    publish('07_snapshot_volumes'),
    call('08_command_output', 'ssm:DescribeInstanceInformation'),
    call('08_command_output', 'ec2:DescribeIamInstanceProfileAssociations'),
    // The profile is removed; the role's sessions already issued are never denied.
    call('08_command_output', 'ec2:DisassociateIamInstanceProfile', 'credentials'),
    ...ssm,
    publish('08_command_output'),
    call('09_detach_from_asg', 'autoscaling:DescribeAutoScalingInstances'),
    call('09_detach_from_asg', 'autoscaling:DetachInstances'),
    publish('09_detach_from_asg'),
    call('10_deregister_instance', 'elasticloadbalancing:DescribeLoadBalancers'),
    call('10_deregister_instance', 'elasticloadbalancing:DescribeTargetGroups'),
    publish('10_deregister_instance'),
    call('11_isolate_instance', 'ec2:DescribeNetworkInterfaces'),
    call('11_isolate_instance', 'ec2:DescribeSecurityGroups'),
    call('11_isolate_instance', 'ec2:CreateSecurityGroup'),
    call('11_isolate_instance', 'ec2:RevokeSecurityGroupEgress'),
    // One swap to the new group: tracked connections survive it (no two-step swap).
    call('11_isolate_instance', 'ec2:ModifyNetworkInterfaceAttribute', 'effective'),
    publish('11_isolate_instance'),
    call('lambda_handler', 'sns:Publish', 'done'),
  ];
}

/** The IAM branch (Step Functions SDK integrations). */
export const anchorIamSteps = (userType: 'IAMUser' | 'AssumedRole'): AnchorStep[] => [
  call('IAMPutUserPolicy', userType === 'IAMUser' ? 'iam:PutUserPolicy' : 'iam:PutRolePolicy', 'credentials'),
  call('IAMFindingPublish', 'sns:Publish', 'done'),
];

export interface AnchorTimeline {
  readonly design: string;
  readonly scenario: string;
  readonly roundTrips: number;
  readonly roundTripsToEffective: number | null;
  readonly roundTripsToCredentials: number | null;
  readonly roundTripsToDone: number;
  readonly sleepMs: number;
  readonly effectiveMs: number | null;
  readonly doneMs: number;
  readonly note: string;
}

/** Round trips and milliseconds of a sequence of steps at `latencyMs` per call. */
export function timeline(
  scenario: string,
  steps: readonly AnchorStep[],
  latencyMs: number,
  note: string,
  effectiveMark: AnchorStep['marks'] = 'effective',
): AnchorTimeline {
  let roundTrips = 0;
  let sleepMs = 0;
  const at: Partial<Record<NonNullable<AnchorStep['marks']>, { roundTrips: number; ms: number }>> = {};
  for (const step of steps) {
    if (step.sleepMs) sleepMs += step.sleepMs;
    if (step.call) roundTrips += 1;
    if (step.marks && !at[step.marks]) at[step.marks] = { roundTrips, ms: roundTrips * latencyMs + sleepMs };
  }
  const effective = effectiveMark ? at[effectiveMark] : undefined;
  return {
    design: 'aws-samples/amazon-guardduty-automated-response-sample',
    scenario,
    roundTrips,
    roundTripsToEffective: effective?.roundTrips ?? null,
    roundTripsToCredentials: at.credentials?.roundTrips ?? null,
    roundTripsToDone: at.done?.roundTrips ?? roundTrips,
    sleepMs,
    effectiveMs: effective?.ms ?? null,
    doneMs: at.done?.ms ?? roundTrips * latencyMs + sleepMs,
    note,
  };
}

/** The anchor's timelines for the scenarios it handles, at `latencyMs` per call. */
export function anchorTimelines(latencyMs: number): AnchorTimeline[] {
  return [
    timeline(
      'IAM user key (AKIA)',
      anchorIamSteps('IAMUser'),
      latencyMs,
      'Never effective: the access key is never deactivated, and a TokenIssueTime deny does not apply to requests signed with a long-term key.',
      undefined,
    ),
    timeline(
      'Assumed-role session (ASIA)',
      anchorIamSteps('AssumedRole'),
      latencyMs,
      "Role-wide deny of sessions issued before the finding's last-seen time (sessions issued since survive).",
      'credentials',
    ),
    timeline(
      'EC2 instance in an Auto Scaling group, 1 interface, 2 volumes (not managed by SSM)',
      anchorEc2Steps(false),
      latencyMs,
      'Isolation is the last plugin; one swap, so tracked connections survive. The instance profile is removed, its sessions never denied.',
    ),
    timeline(
      'EC2 instance in an Auto Scaling group, 1 interface, 2 volumes (managed by SSM)',
      anchorEc2Steps(true),
      latencyMs,
      'As above, plus the SSM data capture: a 5 s sleep after attaching the SSM profile and a 10 s drain after the command.',
    ),
  ];
}
