import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CUSTOM_ACTION, SECURITY_HUB_SOURCE } from '../../lambdas/findings/parse-securityhub-event';
import { CUSTOM_ACTIONS } from '../../lambdas/securityhub/custom-actions';

/**
 * The Security Hub custom actions "Firebreak: contain" (each responder routes it for its own findings) and
 * "Firebreak: release" (routed here to the release function). Security Hub must be enabled in the account.
 */
export class SecurityHubCustomActions extends Construct {
  readonly contain: securityhub.CfnActionTarget;
  readonly release: securityhub.CfnActionTarget;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.contain = new securityhub.CfnActionTarget(this, 'Contain', { ...CUSTOM_ACTIONS.contain });
    this.release = new securityhub.CfnActionTarget(this, 'Release', { ...CUSTOM_ACTIONS.release });
  }

  get containArn(): string {
    return this.contain.attrActionTargetArn;
  }

  /**
   * The release action's events go to the release function. Both failures end in the release function's dead-letter
   * queue, which an alarm watches: an event EventBridge could not deliver (the target's dead-letter queue), and an
   * invocation that failed (the function's asynchronous on-failure destination, lib/release-function.ts).
   */
  routeRelease(releaseFunction: lambda.IFunction, deadLetterQueue: sqs.IQueue): events.Rule {
    return new events.Rule(this, 'ReleaseRule', {
      description:
        'Firebreak: the Security Hub custom action "Firebreak: release" releases the incidents of the selected findings',
      eventPattern: {
        source: [SECURITY_HUB_SOURCE],
        detailType: [CUSTOM_ACTION],
        resources: [this.release.attrActionTargetArn],
      },
      targets: [
        new targets.LambdaFunction(releaseFunction, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue,
        }),
      ],
    });
  }
}
