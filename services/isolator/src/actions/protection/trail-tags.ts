import { GetTrailStatusCommand, ListTagsCommand } from '@aws-sdk/client-cloudtrail';
import type { StepContext } from '@ir/runtime';
import { tagMap } from '../../aws/tags.js';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { ownerOf, resolveTrails, trailClients } from '../remediation/trails.js';
import type { ResourceTags } from './gate.js';

/**
 * The trails `contain.cloudtrail-logging` would start: the named one, or every trail of the target
 * account visible in the region that is not logging (the handler's own choice; trails of another
 * account and trails already logging are left alone, so they are not read). Tags from ListTags in
 * each trail's home region.
 */
export async function trailTags(
  deps: ActionDeps,
  context: Pick<StepContext, 'client' | 'incidentId' | 'target'>,
  trail: string | undefined,
): Promise<ResourceTags[]> {
  const clients = trailClients(deps, context);
  const refs = (await resolveTrails(clients, context.target.region, trail)).filter(
    (ref) => ownerOf(ref) === context.target.accountId,
  );
  const read: ResourceTags[] = [];
  for (const ref of refs) {
    const client = await clients(ref.homeRegion);
    try {
      if (!trail) {
        const status = await client.send(new GetTrailStatusCommand({ Name: ref.arn }));
        if (status.IsLogging === true) continue;
      }
      const output = await client.send(new ListTagsCommand({ ResourceIdList: [ref.arn] }));
      read.push({ key: `cloudtrail-trail:${ref.arn}`, tags: tagMap(output.ResourceTagList?.[0]?.TagsList) });
    } catch (error: unknown) {
      if (!hasErrorCode(error, 'TrailNotFound', 'TrailNotFoundException')) throw error;
      // A trail deleted since it was listed changes nothing; a named one is the handler's to report.
      if (trail)
        throw new ResourceNotFoundError(`CloudTrail trail ${ref.arn} does not exist`, { trail: ref.arn });
    }
  }
  return read;
}
