import type { AcceptedMessage, AccountPolicy, HandlerContext, ParsedMessage, Publisher } from '@ir/runtime';
import { containActions, rollbackActions } from '@ir/contracts';
import { containBlockIp, rollbackBlockIp } from './block-ip.js';
import { containEc2Instance } from './ec2/contain-instance.js';
import { rollbackEc2Instance } from './ec2/rollback-instance.js';
import { containAccessKey, rollbackAccessKey } from './iam/access-key.js';
import { containIamUser, rollbackIamUser } from './iam/iam-user.js';
import { containRemoveLoginProfile } from './iam/login-profile.js';
import { containRoleSessions, rollbackRoleSessions } from './iam/role-sessions.js';
import { containCloudTrailLogging, rollbackCloudTrailLogging } from './remediation/cloudtrail-logging.js';
import {
  containSecurityGroupIngress,
  rollbackSecurityGroupIngress,
} from './remediation/security-group-ingress.js';
import { containS3Bucket, rollbackS3Bucket } from './s3-bucket.js';
import { executeStep } from './execute-step.js';
import type { ActionHandler, HandlerDeps } from './types.js';
import type { IsolatorMetrics } from '../metrics.js';

/** Every message type the isolator accepts on its queue. */
export const isolatorMessageTypes = [...containActions, ...rollbackActions] as const;
/** One of them. */
export type IsolatorMessageType = (typeof isolatorMessageTypes)[number];
/** A parsed command the isolator handles. */
export type IsolatorMessage = AcceptedMessage<IsolatorMessageType>;

/** The handler of each action, keyed by message type (exhaustive: a new action fails to compile). */
export type ActionTable = { [T in IsolatorMessageType]: ActionHandler<IsolatorMessage['payload']['params']> };

/** Dependencies of {@link createHandlers}. */
export interface IsolatorHandlerDeps extends HandlerDeps {
  readonly publisher: Publisher<'coordinator'>;
  readonly metrics: IsolatorMetrics;
  readonly newId?: () => string;
  /** Refuses accounts that are not allowed before any action (the client factory refuses them too). */
  readonly accounts?: Pick<AccountPolicy, 'assertAllowed'>;
}

/**
 * Builds the action table and the queue handler: parse is the runtime's; this runs the action for
 * the command and answers the coordinator with `step.succeeded` or `step.failed`.
 */
export function createHandlers(deps: IsolatorHandlerDeps) {
  const actions = {
    'contain.ec2-instance': containEc2Instance(deps),
    'contain.iam-user': containIamUser(),
    'contain.access-key': containAccessKey(),
    'contain.role-sessions': containRoleSessions(deps),
    'contain.s3-bucket': containS3Bucket(deps),
    'contain.block-ip': containBlockIp(deps),
    'contain.remove-login-profile': containRemoveLoginProfile(),
    'contain.cloudtrail-logging': containCloudTrailLogging(deps),
    'contain.security-group-ingress': containSecurityGroupIngress(deps),
    'rollback.ec2-instance': rollbackEc2Instance(),
    'rollback.iam-user': rollbackIamUser(),
    'rollback.access-key': rollbackAccessKey(),
    'rollback.role-sessions': rollbackRoleSessions(),
    'rollback.s3-bucket': rollbackS3Bucket(),
    'rollback.block-ip': rollbackBlockIp(),
    'rollback.cloudtrail-logging': rollbackCloudTrailLogging(deps),
    'rollback.security-group-ingress': rollbackSecurityGroupIngress(),
  } as ActionTable;
  return {
    actions,
    handle: (message: ParsedMessage<IsolatorMessage>, context: HandlerContext) =>
      executeStep(deps, actions[message.value.type], message.value, context),
  };
}
