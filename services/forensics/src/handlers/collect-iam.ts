import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { StepRefusedError } from '../errors.js';
import { type LookupTarget, recentEvents } from '../iam/cloudtrail-events.js';
import { ownerOfAccessKey, roleDetails, userDetails } from '../iam/principal-details.js';
import { readSection, type SectionGap } from './sections.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import { putCollectedRecord } from './json-record.js';
import type { ActionDeps } from './types.js';

/**
 * evidence.collect-iam: the user or role (with policies, keys and their last use, MFA devices, console
 * password) and its recent CloudTrail events, in `iam.json`. A key alone is resolved to its user.
 * CloudTrail is looked up by the most specific attribute given: access key, else user name, else the
 * role's ARN as a resource (which finds the AssumeRole calls that started its sessions).
 */
export function collectIam(deps: ActionDeps): StepHandler<'evidence.collect-iam'> {
  return async (params, context) => {
    const { stepId, target, incidentId } = context;
    const iam = await context.client(IAMClient);
    const gaps: SectionGap[] = [];

    const accessKey = params.accessKeyId
      ? await readSection('accessKey', gaps, () => ownerOfAccessKey(iam, params.accessKeyId ?? ''))
      : null;
    const userName = params.userName ?? accessKey?.UserName;
    const user = userName ? await userDetails(iam, userName) : null;
    const role = params.roleName ? await roleDetails(iam, params.roleName) : null;
    if (!user && !role && !accessKey) {
      throw new StepRefusedError(
        `access key ${params.accessKeyId} could not be resolved to a user in account ${target.accountId}: ${gaps[0]?.message ?? 'unknown'}`,
        'not-found',
      );
    }
    const lookup: LookupTarget = params.accessKeyId
      ? { key: 'AccessKeyId', value: params.accessKeyId }
      : userName
        ? { key: 'Username', value: userName }
        : { key: 'ResourceName', value: role?.role?.Arn ?? params.roleName ?? '' };
    const cloudTrail = await recentEvents(await context.client(CloudTrailClient), lookup, {
      now: deps.now(),
      lookbackHours: deps.config.IR_CLOUDTRAIL_LOOKBACK_HOURS,
      maxPages: deps.config.IR_CLOUDTRAIL_MAX_PAGES,
    });
    const summary = {
      principal: userName
        ? `user/${userName}`
        : params.roleName
          ? `role/${params.roleName}`
          : `key/${params.accessKeyId}`,
      cloudTrail: {
        available: cloudTrail.available,
        reason: cloudTrail.reason,
        events: cloudTrail.events.length,
        truncated: cloudTrail.truncated,
      },
      gaps,
    };
    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        ...summary,
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name: 'iam.json' })],
      });
    }
    const artifact = await putCollectedRecord(deps, context, 'iam.json', {
      params,
      accessKey,
      user,
      role,
      cloudTrail,
      gaps,
    });
    return succeeded({ ...summary, artifact });
  };
}
