import type { IncomingHttpHeaders } from 'node:http';

/** The wire protocol an AWS request speaks, which decides how its errors must look. */
export type AwsProtocol = 'json' | 'rest-json' | 'query-ec2' | 'query' | 'rest-xml';

/**
 * Services on the REST-JSON protocol (no `X-Amz-Target`; the operation is the method and path), by
 * signing name: the ones the isolator calls.
 */
const REST_JSON_SERVICES = new Set(['lambda', 'eks']);

/** A fault the proxy answers instead of the emulator. */
export type FaultKind = 'throttling' | 'unavailable';

/** The service name of a SigV4-signed request (`Credential=…/<date>/<region>/<service>/aws4_request`). */
export function signingService(headers: IncomingHttpHeaders): string {
  const authorization = String(headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? 'unknown';
}

/** Which protocol a request uses: JSON (X-Amz-Target), EC2 query, other query, or S3's REST-XML. */
export function protocolOf(headers: IncomingHttpHeaders, service: string): AwsProtocol {
  if (headers['x-amz-target']) return 'json';
  if (service === 's3') return 'rest-xml';
  if (REST_JSON_SERVICES.has(service)) return 'rest-json';
  if (service === 'ec2') return 'query-ec2';
  return 'query';
}

/** An HTTP answer: status, headers, body. */
export interface FaultResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The error AWS itself returns for throttling or a 5xx in each protocol, so the SDK classifies it as
 * it would in production (throttling → retried with back-off; 5xx → transient).
 */
export function faultResponse(protocol: AwsProtocol, kind: FaultKind, requestId: string): FaultResponse {
  const throttled = kind === 'throttling';
  switch (protocol) {
    case 'json': {
      const type = throttled ? 'ThrottlingException' : 'ServiceUnavailable';
      return {
        status: throttled ? 400 : 503,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          // SQS on the JSON protocol also names the query-protocol code here.
          'x-amzn-query-error': `${throttled ? 'ThrottlingException' : 'ServiceUnavailable'};Sender`,
        },
        body: JSON.stringify({ __type: type, message: throttled ? 'Rate exceeded' : 'Service unavailable' }),
      };
    }
    case 'rest-json': {
      const type = throttled ? 'ThrottlingException' : 'ServiceUnavailableException';
      return {
        status: throttled ? 429 : 503,
        headers: {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': type,
        },
        body: JSON.stringify({ message: throttled ? 'Rate exceeded' : 'Service unavailable' }),
      };
    }
    case 'query-ec2': {
      const code = throttled ? 'RequestLimitExceeded' : 'Unavailable';
      return {
        status: 503,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    }
    case 'query': {
      const code = throttled ? 'Throttling' : 'ServiceUnavailable';
      return {
        status: throttled ? 400 : 503,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse><Error><Type>${throttled ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    case 'rest-xml': {
      const code = throttled ? 'SlowDown' : 'ServiceUnavailable';
      return {
        status: 503,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>Please reduce your request rate.</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    }
  }
}

/**
 * A 500 as AWS sends it when it failed internally, in each protocol (`InternalError` for EC2 and S3,
 * `InternalFailure` elsewhere, the common error of every AWS API). The SDK retries a 500 with the
 * same request: the proxy sends it after the emulator applied the call, to play "applied, then the
 * answer was lost" (TRAPS 24).
 */
export function internalErrorResponse(protocol: AwsProtocol, requestId: string): FaultResponse {
  const message = 'We encountered an internal error. Please try again.';
  switch (protocol) {
    case 'json':
      return {
        status: 500,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': 'InternalFailure;Receiver',
        },
        body: JSON.stringify({ __type: 'InternalFailure', message }),
      };
    case 'rest-json':
      return {
        status: 500,
        headers: {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': 'InternalFailure',
        },
        body: JSON.stringify({ message }),
      };
    case 'query-ec2':
      return {
        status: 500,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InternalError</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'query':
      return {
        status: 500,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'rest-xml':
      return {
        status: 500,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
  }
}

/** S3 operations whose success is `204 No Content` (the others the isolator writes answer 200). */
const S3_NO_CONTENT = new Set([
  'DeleteObject',
  'DeleteBucketPolicy',
  'DeleteBucketTagging',
  'DeleteObjectTagging',
  'DeletePublicAccessBlock',
  'PutBucketPolicy',
]);

/**
 * The smallest success answer AWS gives `operation` in each protocol, carrying nothing: EC2's
 * `<XResponse><requestId/><return>true</return></XResponse>`; the query protocol's
 * `<XResponse><XResult/><ResponseMetadata/></XResponse>` (the empty result element because the SDK
 * reads `XResult` of every operation that has an output; an empty one parses as an output with no
 * fields); JSON `{}`; S3 an empty 200, or 204 for the operations AWS answers with no content. The
 * proxy sends it WITHOUT forwarding the call, to play a false success (TRAPS 16): only a read-back
 * can tell.
 */
export function emptySuccessResponse(
  protocol: AwsProtocol,
  operation: string,
  requestId: string,
): FaultResponse {
  switch (protocol) {
    case 'json':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: '{}',
      };
    case 'rest-json':
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: '{}',
      };
    case 'query-ec2':
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId><return>true</return></${operation}Response>`,
      };
    case 'query':
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<${operation}Response><${operation}Result/><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
      };
    case 'rest-xml':
      return {
        status: S3_NO_CONTENT.has(operation) ? 204 : 200,
        headers: { 'x-amz-request-id': requestId },
        body: '',
      };
  }
}
