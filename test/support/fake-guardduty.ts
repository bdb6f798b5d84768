import {
  BadRequestException,
  Finding$,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  type Finding as SdkFinding,
} from '@aws-sdk/client-guardduty';
import {
  GetFindingsCommand as GetAsffFindingsCommand,
  InvalidInputException,
  SecurityHubClient,
  type AwsSecurityFinding,
  type StringFilter,
} from '@aws-sdk/client-securityhub';
import { AwsRestJsonProtocol } from '@aws-sdk/core/protocols';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { FindingSources } from '../../lambdas/findings/confirm-finding';
import { loadEvent } from './fixtures';

/** The security account's detector in every Region unless a test says otherwise (not the member detector in a finding's ARN). */
export const SECURITY_DETECTOR_ID = '9ab0c1d2e3f4a5b6c7d8e9f0a1b2c3d4';

type Json = Record<string, unknown>;

/**
 * An EventBridge `detail` as guardduty:GetFindings returns the same finding, in the SDK's shape. GuardDuty's JSON is
 * read by the client's own protocol deserializer, so member names (PascalCase, `productCodeId` read into `Code`),
 * maps (`AffectedResources` keys kept) and dropped unknown members are the SDK's, not this fake's idea of them.
 * Two differences between the event and the API are written first, as the API documents them:
 * - `awsApiCallAction.userAgent` is a string in the API (events may carry `{ fullUserAgent, userAgent }`);
 * - `additionalInfo` is `{ value, type }` in the API, `value` a JSON string: an event's other keys (a sample's
 *   `sample: true`) are in that string, which is where sample-finding.ts reads them in GetFindings output.
 */
export async function sdkFindingOf(detail: Json): Promise<SdkFinding> {
  const codec = new AwsRestJsonProtocol({ defaultNamespace: 'com.amazonaws.guardduty' }).getPayloadCodec();
  return (await codec.createDeserializer().read(Finding$, JSON.stringify(apiJsonOf(detail)))) as SdkFinding;
}

/** An event's `detail` as GuardDuty's API writes the same finding (the two differences above). */
export function apiJsonOf(detail: Json): Json {
  const api = structuredClone(detail) as Json & { service?: Json };
  const call = (api.service?.action as { awsApiCallAction?: Json } | undefined)?.awsApiCallAction;
  if (call && call.userAgent !== null && typeof call.userAgent === 'object') {
    const agent = call.userAgent as { fullUserAgent?: unknown; userAgent?: unknown };
    call.userAgent = agent.fullUserAgent ?? agent.userAgent;
  }
  const info = api.service?.additionalInfo;
  if (info !== null && typeof info === 'object') {
    const { value, type, ...rest } = info as Json;
    const fromValue = typeof value === 'string' ? (JSON.parse(value) as Json) : {};
    api.service!.additionalInfo = { value: JSON.stringify({ ...fromValue, ...rest }), type: type ?? 'default' };
  }
  return api;
}

interface Failure {
  error: Error;
  times: number;
  region?: string;
}

function badRequest(message: string): BadRequestException {
  return new BadRequestException({
    message,
    Message: message,
    Type: 'InvalidInputException',
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * A stateful GuardDuty of the security account, one mocked client per Region (aws-sdk-client-mock): a detector per
 * Region and the findings it holds, in the SDK's shape. ListDetectors and GetFindings answer from that state;
 * `failOn` injects an error. GetFindings with a detector the account does not own is a BadRequestException, as in AWS;
 * an id it does not hold is left out of `Findings`, as in AWS.
 */
export class FakeGuardDuty {
  /** Region -> the security account's detector id. */
  readonly detectors = new Map<string, string>();
  /** Region -> finding id -> the finding as GetFindings returns it. */
  readonly findings = new Map<string, Map<string, SdkFinding>>();
  private readonly clients = new Map<string, { client: GuardDutyClient; mock: AwsClientStub<GuardDutyClient> }>();
  private readonly failures = new Map<string, Failure>();

  constructor(regions: readonly string[] = ['us-east-1']) {
    for (const region of regions) this.addDetector(region);
  }

  addDetector(region: string, detectorId = SECURITY_DETECTOR_ID): this {
    this.detectors.set(region, detectorId);
    return this;
  }

  /** Holds the finding of a fixture event (`guardduty/ec2-instance`), converted to the SDK's shape, in its Region. */
  async addFixture(name: string): Promise<SdkFinding> {
    return this.addEventDetail(loadEvent(name).detail as Json);
  }

  async addEventDetail(detail: Json): Promise<SdkFinding> {
    const finding = await sdkFindingOf(detail);
    const region = finding.Region ?? 'us-east-1';
    let held = this.findings.get(region);
    if (!held) {
      held = new Map();
      this.findings.set(region, held);
    }
    held.set(finding.Id!, finding);
    return finding;
  }

  /** The held finding, to change as GuardDuty would (archive it, raise its severity). */
  finding(id: string, region = 'us-east-1'): SdkFinding {
    const finding = this.findings.get(region)?.get(id);
    if (!finding) throw new Error(`test setup: GuardDuty holds no finding ${id} in ${region}`);
    return finding;
  }

  archive(id: string, region = 'us-east-1'): this {
    const finding = this.finding(id, region);
    finding.Service = { ...finding.Service, Archived: true };
    return this;
  }

  /** The next `times` calls of the command (in `region`, or any) fail with `error`. */
  failOn(
    commandName: 'ListDetectors' | 'GetFindings',
    error: Error,
    times = Number.POSITIVE_INFINITY,
    region?: string,
  ): this {
    this.failures.set(commandName, { error, times, ...(region ? { region } : {}) });
    return this;
  }

  clientFor(region: string): GuardDutyClient {
    const existing = this.clients.get(region);
    if (existing) return existing.client;
    const client = new GuardDutyClient({ region, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } });
    const mock = mockClient(client);
    this.wire(mock, region);
    this.clients.set(region, { client, mock });
    return client;
  }

  /** The calls of a command, in one Region or all. */
  calls(commandName: 'ListDetectors' | 'GetFindings', region?: string): { region: string; input: Json }[] {
    const command: unknown = commandName === 'ListDetectors' ? ListDetectorsCommand : GetFindingsCommand;
    return [...this.clients.entries()]
      .filter(([name]) => region === undefined || name === region)
      .flatMap(([name, { mock }]) =>
        mock
          .calls()
          .filter((call) => call.args[0].constructor === command)
          .map((call) => ({ region: name, input: call.args[0].input as unknown as Json })),
      );
  }

  private maybeFail(commandName: string, region: string): void {
    const failure = this.failures.get(commandName);
    if (!failure || failure.times <= 0 || (failure.region && failure.region !== region)) return;
    failure.times -= 1;
    throw failure.error;
  }

  private wire(mock: AwsClientStub<GuardDutyClient>, region: string): void {
    mock.on(ListDetectorsCommand).callsFake(() => {
      this.maybeFail('ListDetectors', region);
      const detector = this.detectors.get(region);
      return { DetectorIds: detector ? [detector] : [] };
    });
    mock.on(GetFindingsCommand).callsFake((input: { DetectorId?: string; FindingIds?: string[] }) => {
      this.maybeFail('GetFindings', region);
      if (!input.DetectorId || input.DetectorId !== this.detectors.get(region)) {
        throw badRequest('The request is rejected because the input detectorId is not owned by the current account.');
      }
      const ids = input.FindingIds ?? [];
      if (ids.length === 0 || ids.length > 50)
        throw badRequest(
          'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
        );
      const held = this.findings.get(region) ?? new Map<string, SdkFinding>();
      return { Findings: ids.flatMap((id) => (held.has(id) ? [structuredClone(held.get(id)!)] : [])) };
    });
  }
}

/**
 * Security Hub's securityhub:GetFindings over held ASFF findings, one mocked client per Region. Only EQUALS
 * filters on `Id` and `ProductArn` are answered (what confirmFinding sends); anything else fails the test.
 */
export class FakeSecurityHub {
  /** Region -> the ASFF findings Security Hub holds there. */
  readonly findings = new Map<string, AwsSecurityFinding[]>();
  private readonly clients = new Map<string, { client: SecurityHubClient; mock: AwsClientStub<SecurityHubClient> }>();
  private failure: Failure | undefined;

  /** Holds finding `index` of a fixture Security Hub event (`securityhub/config-restricted-ssh-non-compliant`). */
  addFixture(name: string, index = 0): AwsSecurityFinding {
    const finding = structuredClone((loadEvent(name).detail as { findings: AwsSecurityFinding[] }).findings[index]!);
    const region = finding.Region ?? 'us-east-1';
    this.findings.set(region, [...(this.findings.get(region) ?? []), finding]);
    return finding;
  }

  failOn(error: Error, times = Number.POSITIVE_INFINITY): this {
    this.failure = { error, times };
    return this;
  }

  clientFor(region: string): SecurityHubClient {
    const existing = this.clients.get(region);
    if (existing) return existing.client;
    const client = new SecurityHubClient({ region, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } });
    const mock = mockClient(client);
    mock.on(GetAsffFindingsCommand).callsFake((input: { Filters?: Record<string, StringFilter[] | undefined> }) => {
      if (this.failure && this.failure.times > 0) {
        this.failure.times -= 1;
        throw this.failure.error;
      }
      const filters = Object.entries(input.Filters ?? {});
      for (const [field, values] of filters) {
        if ((field !== 'Id' && field !== 'ProductArn') || !values?.every((filter) => filter.Comparison === 'EQUALS')) {
          throw new InvalidInputException({
            message: `the fake answers EQUALS filters on Id and ProductArn only, got ${field}`,
            $metadata: {},
          });
        }
      }
      const matches = (this.findings.get(region) ?? []).filter((finding) =>
        filters.every(([field, values]) =>
          values!.some((filter) => filter.Value === finding[field as 'Id' | 'ProductArn']),
        ),
      );
      return { Findings: matches.map((finding) => structuredClone(finding)) };
    });
    this.clients.set(region, { client, mock });
    return client;
  }

  calls(): { region: string; input: Json }[] {
    return [...this.clients.entries()].flatMap(([region, { mock }]) =>
      mock
        .commandCalls(GetAsffFindingsCommand)
        .map((call) => ({ region, input: call.args[0].input as unknown as Json })),
    );
  }
}

/** Both fakes, as confirmFinding takes its sources. */
export function fakeFindingSources(
  guardDuty: FakeGuardDuty,
  securityHub: FakeSecurityHub = new FakeSecurityHub(),
): FindingSources {
  return {
    guardDutyFor: (region) => guardDuty.clientFor(region),
    securityHubFor: (region) => securityHub.clientFor(region),
  };
}
