import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type OperatorIdentity,
  operatorApi,
  type StoredSuppressionRule,
  SUPPRESSION_MAX_DAYS,
} from '@ir/contracts';
import type { Logger } from '@ir/runtime';
import {
  listSuppressionRules,
  matchTally,
  PROPOSABLE_DISPOSITIONS,
  proposeRule,
  putSuppressionRule,
} from '@ir/suppression';
import type { FastifyInstance } from 'fastify';
import { actorLabel, type Authenticator, authorize, principalOf } from '../api/auth.js';
import { useZodSchemas, type ZodScope } from '../api/zod-schemas.js';
import type { IncidentRepository } from '../repository/incident-repository.js';
import { incidentFindings, scanStoredFindings } from './stored-findings.js';

/** What the suppression routes need. */
export interface SuppressionRouteDeps {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly repository: IncidentRepository;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly clock: () => Date;
}

const operator = ({ issuer, subject }: OperatorIdentity) => ({ issuer, subject });
const notFound = (incidentId: string) => ({
  error: 'not-found' as const,
  message: `no incident ${incidentId}`,
});

/**
 * `POST /incidents/:id/suppression-proposal`: a rule built from a false-positive (or benign) incident
 * and how many stored findings it would have matched. Writes nothing.
 */
function registerProposalRoute(scope: ZodScope, deps: SuppressionRouteDeps): void {
  const { proposeSuppression: route } = operatorApi;
  scope.post(route.url, { schema: route.schema }, async (request, reply) => {
    const incidentId = request.params.id;
    const { omit, scanLimit } = request.body;
    const { aggregate } = await deps.repository.load(incidentId);
    if (!aggregate) return reply.code(404).send(notFound(incidentId));
    const findings = await incidentFindings(deps.dynamodb, deps.tableName, incidentId);
    const outcome = proposeRule(aggregate.incident, findings, { omit, now: deps.clock() });
    if (outcome.kind === 'refused') {
      if (outcome.status === 400) {
        return reply
          .code(400)
          .send({ error: 'invalid-request', issues: [{ path: 'omit', message: outcome.message }] });
      }
      return reply.code(409).send({ error: 'conflict', message: outcome.message });
    }
    const tally = matchTally(outcome.rule);
    const scan = await scanStoredFindings(deps.dynamodb, deps.tableName, scanLimit, tally.add);
    const history = tally.result(scan);
    deps.logger.info(
      {
        operator: operator(principalOf(request).identity),
        incidentId,
        rule: outcome.rule.name,
        matched: history.matched,
        capped: history.capped,
      },
      'suppression_proposed',
    );
    return reply.send({ incidentId, rule: outcome.rule, history });
  });
}

/**
 * `POST /suppressions`: writes a rule, its author the token's identity, its expiry required and at
 * most {@link SUPPRESSION_MAX_DAYS} days away; 409 when the name is taken or the incident it claims
 * to come from was not resolved as a false positive. Detection applies it at its next refresh.
 */
function registerCreateRoute(scope: ZodScope, deps: SuppressionRouteDeps): void {
  const { createSuppression: route } = operatorApi;
  scope.post(route.url, { schema: route.schema }, async (request, reply) => {
    const body = request.body;
    const now = deps.clock();
    const expiresAt = Date.parse(body.expiresAt);
    const latest = now.getTime() + SUPPRESSION_MAX_DAYS * 86_400_000;
    if (expiresAt <= now.getTime() || expiresAt > latest) {
      return reply.code(400).send({
        error: 'invalid-request',
        issues: [
          {
            path: 'expiresAt',
            message: `must be in the future and at most ${SUPPRESSION_MAX_DAYS} days away (by ${new Date(latest).toISOString()}); a longer-lived rule belongs in the reviewed rules file`,
          },
        ],
      });
    }
    if (body.sourceIncidentId !== undefined) {
      const { aggregate } = await deps.repository.load(body.sourceIncidentId);
      if (!aggregate) return reply.code(404).send(notFound(body.sourceIncidentId));
      const disposition = aggregate.incident.disposition?.disposition;
      if (!disposition || !PROPOSABLE_DISPOSITIONS.includes(disposition)) {
        return reply.code(409).send({
          error: 'conflict',
          message: `incident ${body.sourceIncidentId} was not resolved as ${PROPOSABLE_DISPOSITIONS.join(' or ')}`,
        });
      }
    }
    const { identity } = principalOf(request);
    const rule: StoredSuppressionRule = {
      name: body.name,
      reason: body.reason,
      expiresAt: new Date(expiresAt).toISOString(),
      match: body.match,
      author: { by: actorLabel(identity), actor: identity },
      createdAt: now.toISOString(),
      ...(body.sourceIncidentId === undefined ? {} : { sourceIncidentId: body.sourceIncidentId }),
    };
    const written = await putSuppressionRule(deps.dynamodb, deps.tableName, rule);
    const context = { operator: operator(identity), rule: rule.name, expiresAt: rule.expiresAt };
    if (written === 'exists') {
      deps.logger.warn(context, 'suppression_rule_refused');
      return reply.code(409).send({
        error: 'conflict',
        message: `a suppression rule named ${rule.name} exists; choose another name (rules are never overwritten)`,
      });
    }
    deps.logger.info(
      { ...context, match: rule.match, sourceIncidentId: rule.sourceIncidentId },
      'suppression_rule_written',
    );
    return reply.code(201).send(rule);
  });
}

/** `GET /suppressions`: the rules written through the API, with author and expiry. */
function registerListRoute(scope: ZodScope, deps: SuppressionRouteDeps): void {
  const { listSuppressions: route } = operatorApi;
  scope.get(route.url, { schema: route.schema }, async (_request, reply) => {
    return reply.send({ rules: await listSuppressionRules(deps.dynamodb, deps.tableName) });
  });
}

/**
 * The suppression routes, in their own scope behind the same bearer-token hook and roles as the rest
 * of the operator API (`operatorApi`: propose responder, write approver, list viewer). The rules
 * live in the incident table, which detection re-reads every `IR_SUPPRESSIONS_REFRESH_SECONDS`.
 */
export function suppressionRoutes(deps: SuppressionRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (plain) => {
      plain.addHook('onRequest', authorize(deps.authenticator, deps.logger));
      const scope = useZodSchemas(plain);
      registerProposalRoute(scope, deps);
      registerCreateRoute(scope, deps);
      registerListRoute(scope, deps);
    });
  };
}
