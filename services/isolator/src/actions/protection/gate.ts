import {
  type ContainAction,
  type MarkingAction,
  markingActions,
  type ProtectedResourceFound,
  parseProtectedTag,
  protectedTagIn,
} from '@ir/contracts';
import { errorName, held, type ParamsOf, type StepContext, type StepHandler } from '@ir/runtime';
import { hasErrorCode, ProtectionUnreadableError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';

/** The tags of one resource a step would change, read live from AWS. */
export interface ResourceTags {
  /** A resource key in the form of `resourceKey` (`ec2-instance:i-0…`, `ec2-volume:vol-0…`). */
  readonly key: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Reads the live tags of every resource one containment would change. A resource the command names
 * that does not exist is a `ResourceNotFoundError` (the gate then leaves the answer to the handler);
 * one found only through another (an instance's volume deleted meanwhile) is left out.
 */
export type TagReader<K extends ContainAction> = (
  params: ParamsOf<K>,
  context: StepContext<K>,
  deps: ActionDeps,
) => Promise<ResourceTags[]>;

/** Containments the gate applies to: all but the marking actions (`contain.tag-incident`), which change nothing a protection is about. */
export type GatedAction = Exclude<ContainAction, MarkingAction>;

/** Whether an action is gated. */
export function isGated(action: ContainAction): action is GatedAction {
  return !(markingActions as readonly string[]).includes(action);
}

const PERMISSION_ERRORS = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationFailure',
];

/**
 * The protected-resource gate of one containment (TRAPS 22, issue 23). Before `handler` runs it reads
 * the tags of every resource the step would change from AWS and compares them with `IR_PROTECTED_TAG`
 * without regard to case. A protected resource holds the step (`step.held`, nothing changed, in a dry
 * run too) unless the command was approved for `protected-resource`; approved, the handler runs and
 * its result names the protected resources in `protectedApproved`.
 *
 * A tag read that is refused (AccessDenied) is never taken as "not protected": the step fails at
 * once (`ProtectionUnreadableError`, not retried) naming the resource and the missing permission. A
 * resource the command names that does not exist is the handler's to report (it fails the step with
 * its own not-found reason). Transient errors are the step worker's to retry.
 */
export function protectionGate<K extends GatedAction>(
  deps: ActionDeps,
  reader: () => Promise<TagReader<K>>,
  handler: StepHandler<K>,
): StepHandler<K> {
  const protectedTag = parseProtectedTag(deps.config.IR_PROTECTED_TAG);
  return async (params, context) => {
    let read: ResourceTags[];
    try {
      read = await (await reader())(params, context, deps);
    } catch (error: unknown) {
      if (errorName(error) === 'ResourceNotFoundError') return handler(params, context);
      if (hasErrorCode(error, ...PERMISSION_ERRORS)) {
        throw new ProtectionUnreadableError(context.action, error);
      }
      throw error;
    }
    const found: ProtectedResourceFound[] = read.flatMap(({ key, tags }) => {
      const tag = protectedTagIn(tags, protectedTag);
      return tag === undefined ? [] : [{ key, tag }];
    });
    const approval = context.approval;
    const approved = approval?.holdReasons.includes('protected-resource') === true;
    context.logger.debug({ checked: read.map((resource) => resource.key), found }, 'protected_tags_read');
    if (found.length === 0) return handler(params, context);
    if (!approved) {
      context.logger.warn({ resources: found }, 'protected_resource_held');
      return held(found);
    }
    const outcome = await handler(params, context);
    if (outcome.kind !== 'succeeded') return outcome;
    return {
      ...outcome,
      result: {
        ...outcome.result,
        protectedApproved: { resources: found, approvedBy: approval?.approvedBy },
      },
    };
  };
}
