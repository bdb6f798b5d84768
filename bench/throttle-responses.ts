import { HttpResponse } from '@smithy/core/transport';
import type { ThrottledService } from './throttle-limits';

/**
 * The HTTP response each service sends when a request is throttled, so that the SDK's own deserializer builds the
 * error and its own retry strategy decides what to do with it. EC2 (query protocol) answers 503 with
 * RequestLimitExceeded in its `<Response><Errors>` document; IAM and EC2 Auto Scaling (AWS query protocol) answer 400
 * with `Throttling`, "Rate exceeded", in an `<ErrorResponse>` (https://repost.aws/knowledge-center/iam-sts-throttling-error,
 * https://repost.aws/knowledge-center/autoscaling-api-calls-throttled).
 */
export function throttlingResponse(service: ThrottledService, requestId: string): HttpResponse {
  const xml = (statusCode: number, body: string) =>
    new HttpResponse({
      statusCode,
      headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
      body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`),
    });
  if (service === 'ec2')
    return xml(
      503,
      '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error>' +
        `</Errors><RequestID>${requestId}</RequestID></Response>`,
    );
  const namespace =
    service === 'iam'
      ? 'https://iam.amazonaws.com/doc/2010-05-08/'
      : 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
  return xml(
    400,
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>` +
      `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

/** The error codes above: what the SDK names the error it builds from them. */
export const THROTTLING_ERROR_NAMES = new Set(['RequestLimitExceeded', 'Throttling']);
