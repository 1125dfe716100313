import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for the Security Hub and GuardDuty REST-JSON endpoints the finding sync calls, on
 * 127.0.0.1, for the real SDK clients. Why: moto 5.2.5 implements neither BatchUpdateFindings(V2),
 * GetFindingsV2, nor any GuardDuty finding API. Every answer is shaped as the AWS API reference
 * documents it (Security Hub: BatchUpdateFindings, GetFindings, BatchUpdateFindingsV2,
 * GetFindingsV2; GuardDuty: ListDetectors, GetFindings, ArchiveFindings, whose wire names are
 * camelCase); the state behind them is the findings the test seeds. `refuse` makes an update answer
 * a finding as unprocessed (as AWS does for FindingNotFound, ConcurrentUpdateError, ...); `ignore`
 * makes an update answer "processed" without changing the finding, so only the read back can tell.
 */

/** One request the server received, for assertions on what was (not) called. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** An ASFF finding as GetFindings returns it (the fields the API requires, and the workflow). */
export interface AsffState {
  readonly Id: string;
  readonly ProductArn: string;
  readonly AwsAccountId: string;
  Workflow: { Status: string };
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

/** What each update answers for a finding id (default: apply and answer processed). */
type UpdateBehaviour = { readonly refuse: { code: string; message: string } } | { readonly ignore: true };

export async function startFindingsApiServer() {
  const received: ReceivedRequest[] = [];
  const asff = new Map<string, AsffState>();
  const ocsf = new Map<string, { metadataUid: string; statusId: number; comment?: string }>();
  const guardDuty = new Map<string, { archived: boolean }>();
  const behaviours = new Map<string, UpdateBehaviour>();
  let detectorIds: string[] = [];

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      json(response, 500, { message: String(error) }, 'InternalServerException');
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await new Promise<string>((resolve) => {
      let data = '';
      request.on('data', (chunk: Buffer) => {
        data += chunk.toString('utf8');
      });
      request.on('end', () => resolve(data));
    });
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const path = (request.url ?? '').split('?')[0] ?? '';
    const method = request.method ?? 'GET';
    received.push({ method, path, body });
    const route = `${method} ${path}`;

    if (route === 'POST /findings') return json(response, 200, getFindingsV1(body));
    if (route === 'PATCH /findings/batchupdate') return json(response, 200, batchUpdateV1(body));
    if (route === 'POST /findingsv2') return json(response, 200, getFindingsV2(body));
    if (route === 'PATCH /findingsv2/batchupdatev2') return json(response, 200, batchUpdateV2(body));
    if (route === 'GET /detector') return json(response, 200, { detectorIds });
    const detector = /^\/detector\/([^/]+)\/findings\/(get|archive)$/.exec(path);
    if (method === 'POST' && detector?.[1] && detectorIds.includes(detector[1])) {
      const ids = (body.findingIds as string[] | undefined) ?? [];
      if (detector[2] === 'get') return json(response, 200, { findings: ids.flatMap(guardDutyFinding) });
      for (const id of ids) {
        const finding = guardDuty.get(id);
        if (finding && !('ignore' in (behaviours.get(id) ?? {}))) finding.archived = true;
      }
      // ArchiveFindings answers HTTP 200 with an empty body.
      return json(response, 200, {});
    }
    if (detector) {
      return json(
        response,
        400,
        {
          message:
            'The request is rejected because the input detectorId is not owned by the current account.',
          __type: 'BadRequestException',
        },
        'BadRequestException',
      );
    }
    json(response, 404, { message: `no route ${route}` }, 'ResourceNotFoundException');
  }

  function getFindingsV1(body: Record<string, unknown>) {
    const filters = body.Filters as
      | { Id?: { Value: string }[]; ProductArn?: { Value: string }[] }
      | undefined;
    const id = filters?.Id?.[0]?.Value;
    const productArn = filters?.ProductArn?.[0]?.Value;
    const found = [...asff.values()].filter((f) => f.Id === id && f.ProductArn === productArn);
    return { Findings: found.map(asffFinding) };
  }

  function batchUpdateV1(body: Record<string, unknown>) {
    const identifiers = body.FindingIdentifiers as { Id: string; ProductArn: string }[];
    const workflow = body.Workflow as { Status: string } | undefined;
    const note = body.Note as { Text: string; UpdatedBy: string } | undefined;
    const processed: { Id: string; ProductArn: string }[] = [];
    const unprocessed: unknown[] = [];
    for (const identifier of identifiers) {
      const finding = asff.get(identifier.Id);
      const behaviour = behaviours.get(identifier.Id);
      if (!finding || finding.ProductArn !== identifier.ProductArn) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding Not Found',
        });
      } else if (behaviour && 'refuse' in behaviour) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: behaviour.refuse.code,
          ErrorMessage: behaviour.refuse.message,
        });
      } else {
        if (!behaviour) {
          if (workflow) finding.Workflow = { Status: workflow.Status };
          if (note) finding.Note = { ...note, UpdatedAt: new Date().toISOString() };
        }
        processed.push(identifier);
      }
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  function getFindingsV2(body: Record<string, unknown>) {
    const composite = (body.Filters as { CompositeFilters?: { StringFilters?: unknown[] }[] } | undefined)
      ?.CompositeFilters?.[0]?.StringFilters?.[0] as
      | { FieldName: string; Filter: { Value: string; Comparison: string } }
      | undefined;
    const uid = composite?.FieldName === 'metadata.uid' ? composite.Filter.Value : undefined;
    const found = uid ? ocsf.get(uid) : undefined;
    return { Findings: found ? [ocsfFinding(found)] : [] };
  }

  function batchUpdateV2(body: Record<string, unknown>) {
    const uids = (body.MetadataUids as string[] | undefined) ?? [];
    const processed: unknown[] = [];
    const unprocessed: unknown[] = [];
    for (const uid of uids) {
      const finding = ocsf.get(uid);
      const behaviour = behaviours.get(uid);
      if (!finding) {
        unprocessed.push({
          MetadataUid: uid,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: 'Finding not found',
        });
      } else if (behaviour && 'refuse' in behaviour) {
        unprocessed.push({
          MetadataUid: uid,
          ErrorCode: behaviour.refuse.code,
          ErrorMessage: behaviour.refuse.message,
        });
      } else {
        if (!behaviour) {
          if (typeof body.StatusId === 'number') finding.statusId = body.StatusId;
          if (typeof body.Comment === 'string') finding.comment = body.Comment;
        }
        processed.push({ MetadataUid: uid });
      }
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  function guardDutyFinding(id: string) {
    const finding = guardDuty.get(id);
    if (!finding) return [];
    return [
      {
        accountId: '123456789012',
        arn: `arn:aws:guardduty:eu-west-1:123456789012:detector/${detectorIds[0]}/finding/${id}`,
        createdAt: '2026-12-01T10:00:00.000Z',
        id,
        partition: 'aws',
        region: 'eu-west-1',
        resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0123456789abcdef0' } },
        schemaVersion: '2.0',
        service: { archived: finding.archived, count: 1, serviceName: 'guardduty' },
        severity: 8,
        title: 'EC2 instance is communicating with a command and control server.',
        type: 'Backdoor:EC2/C&CActivity.B',
        updatedAt: '2026-12-01T10:05:00.000Z',
      },
    ];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Requests whose method and path are `route` (`PATCH /findings/batchupdate`). */
    calls: (route: string) => received.filter((r) => `${r.method} ${r.path}` === route),
    seedAsff(finding: { Id: string; ProductArn: string; AwsAccountId: string; status: string }) {
      asff.set(finding.Id, { ...finding, Workflow: { Status: finding.status } });
    },
    asff: (id: string) => asff.get(id),
    seedOcsf(metadataUid: string, statusId: number) {
      ocsf.set(metadataUid, { metadataUid, statusId });
    },
    ocsf: (uid: string) => ocsf.get(uid),
    seedGuardDuty(detectorId: string, findingId: string, archived: boolean) {
      detectorIds = [detectorId];
      guardDuty.set(findingId, { archived });
    },
    guardDuty: (id: string) => guardDuty.get(id),
    behave(id: string, behaviour: UpdateBehaviour) {
      behaviours.set(id, behaviour);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The server's type. */
export type FindingsApiServer = Awaited<ReturnType<typeof startFindingsApiServer>>;

function asffFinding(finding: AsffState) {
  return {
    SchemaVersion: '2018-10-08',
    Id: finding.Id,
    ProductArn: finding.ProductArn,
    GeneratorId: 'arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0',
    AwsAccountId: finding.AwsAccountId,
    Types: ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B'],
    CreatedAt: '2026-12-01T10:00:00.000Z',
    UpdatedAt: '2026-12-01T10:05:00.000Z',
    Severity: { Label: 'HIGH', Normalized: 70 },
    Title: 'EC2 instance is communicating with a command and control server.',
    Description:
      'EC2 instance i-0123456789abcdef0 is querying a domain name associated with a known C&C server.',
    Resources: [
      { Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0' },
    ],
    Workflow: finding.Workflow,
    WorkflowState: finding.Workflow.Status === 'NEW' ? 'NEW' : 'ASSIGNED',
    RecordState: 'ACTIVE',
    ...(finding.Note ? { Note: finding.Note } : {}),
  };
}

function ocsfFinding(finding: { metadataUid: string; statusId: number; comment?: string }) {
  const names: Record<number, string> = { 1: 'New', 2: 'In Progress', 3: 'Suppressed', 4: 'Resolved' };
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    metadata: {
      uid: finding.metadataUid,
      product: { name: 'GuardDuty', vendor_name: 'AWS' },
      version: '1.5.0',
    },
    finding_info: { uid: finding.metadataUid, title: 'Backdoor:EC2/C&CActivity.B' },
    severity_id: 4,
    severity: 'High',
    status_id: finding.statusId,
    status: names[finding.statusId] ?? 'Other',
    ...(finding.comment ? { comment: finding.comment } : {}),
    cloud: { account: { uid: '123456789012' }, region: 'eu-west-1', provider: 'AWS' },
  };
}

function json(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(JSON.stringify(body));
}
