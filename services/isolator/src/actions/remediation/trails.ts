import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import type { StepContext } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';

/**
 * Record tag `contain.cloudtrail-logging` puts on a trail before starting it: the incident that
 * started it. Why: a repeated command finds a trail it started itself (logging now, record ours) and
 * reports it again as started, so the step's pre-state never loses it. A record, not a guard: no IAM
 * statement has a condition on it (the isolator may not stop any trail at all), so writing it on a
 * customer's trail grants nothing; hence it lives outside the creation-only `ir:` namespace.
 */
export const TRAIL_STARTED_BY_RECORD = 'ir-record:logging-started-by';

/** A trail and where it must be acted on (StartLogging and StopLogging work only in its home region). */
export const TrailRef = z.object({
  arn: z.string().min(1),
  name: z.string().min(1),
  homeRegion: z.string().min(1),
});
/** @see TrailRef */
export type TrailRef = z.infer<typeof TrailRef>;

/** A trail with its logging status and whether it carries this incident's record. */
export interface TrailState extends TrailRef {
  readonly isLogging: boolean;
  readonly stoppedAt?: string;
  readonly startedByUs: boolean;
}

/** Clients per region in the target's account, as this incident. */
export type TrailClients = (region: string) => Promise<CloudTrailClient>;

/** CloudTrail clients for the target account in any region (the trail's home region may differ). */
export function trailClients(
  deps: ActionDeps,
  context: Pick<StepContext, 'client' | 'incidentId' | 'target'>,
): TrailClients {
  const clients = new Map<string, Promise<CloudTrailClient>>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client =
        region === context.target.region
          ? context.client(CloudTrailClient)
          : deps.aws.client(CloudTrailClient, {
              accountId: context.target.accountId,
              region,
              incidentId: context.incidentId,
            });
      clients.set(region, client);
    }
    return client;
  };
}

const ARN = /^arn:[\w-]+:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

function refOf(trail: Trail): TrailRef | undefined {
  const match = trail.TrailARN ? ARN.exec(trail.TrailARN) : null;
  if (!trail.TrailARN || !match) return undefined;
  return {
    arn: trail.TrailARN,
    name: trail.Name ?? match[3] ?? trail.TrailARN,
    homeRegion: trail.HomeRegion ?? match[1] ?? '',
  };
}

/** The account that owns a trail (an organization trail belongs to the management account). */
export function ownerOf(trail: TrailRef): string | undefined {
  return ARN.exec(trail.arn)?.[2];
}

/**
 * The trails to act on. A named trail (ARN, or name looked up in the target region); without a
 * name, every trail visible in the target region, multi-region trails of other home regions
 * included. A named trail that does not exist is a `ResourceNotFoundError`.
 */
export async function resolveTrails(
  clients: TrailClients,
  region: string,
  trail: string | undefined,
): Promise<TrailRef[]> {
  const byArn = trail ? ARN.exec(trail) : null;
  if (trail && byArn) return [{ arn: trail, name: byArn[3] ?? trail, homeRegion: byArn[1] ?? region }];
  const output = await (await clients(region)).send(
    new DescribeTrailsCommand({ includeShadowTrails: true, ...(trail ? { trailNameList: [trail] } : {}) }),
  );
  const refs = (output.trailList ?? [])
    .map(refOf)
    .filter((ref): ref is TrailRef => ref !== undefined)
    .filter((ref) => !trail || ref.name === trail);
  if (trail && refs.length === 0)
    throw new ResourceNotFoundError(`CloudTrail trail ${trail} does not exist in ${region}`, { trail });
  return refs;
}

/** A trail's logging status and whether this incident started it; a vanished trail is not found. */
export async function readTrail(
  clients: TrailClients,
  ref: TrailRef,
  incidentId: string,
): Promise<TrailState> {
  const client = await clients(ref.homeRegion);
  try {
    const status = await client.send(new GetTrailStatusCommand({ Name: ref.arn }));
    const tags = await client.send(new ListTagsCommand({ ResourceIdList: [ref.arn] }));
    const tagList = tags.ResourceTagList?.[0]?.TagsList ?? [];
    return {
      ...ref,
      isLogging: status.IsLogging === true,
      ...(status.StopLoggingTime ? { stoppedAt: status.StopLoggingTime.toISOString() } : {}),
      startedByUs: tagList.some((tag) => tag.Key === TRAIL_STARTED_BY_RECORD && tag.Value === incidentId),
    };
  } catch (error: unknown) {
    if (hasErrorCode(error, 'TrailNotFound', 'TrailNotFoundException'))
      throw new ResourceNotFoundError(`CloudTrail trail ${ref.arn} does not exist`, { trail: ref.arn });
    throw error;
  }
}
