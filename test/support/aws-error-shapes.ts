import type { IncomingHttpHeaders } from 'node:http';

/** The wire protocol an AWS request speaks, which decides how its errors must look. */
export type AwsProtocol = 'json' | 'query-ec2' | 'query' | 'rest-xml';

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
