import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaCompiler,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { z } from 'zod';

/**
 * The route validator: the provider's zod compiler, except that an absent body reads as `{}`, so a
 * decision sent without a body is told which field it lacks rather than that it has no body.
 */
const validator: FastifySchemaCompiler<z.ZodType> = (route) => {
  const validate = validatorCompiler(route);
  return route.httpPart === 'body' ? (data: unknown) => validate(data ?? {}) : validate;
};

/**
 * A 400 `invalid-request` with one issue per problem (`path` dotted, as the API has always answered)
 * for a request that failed its schema; every other error goes on to fastify's handler.
 */
async function invalidRequest(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (!hasZodFastifySchemaValidationErrors(error)) throw error;
  return reply.code(400).send({
    error: 'invalid-request',
    issues: error.validation.map((issue) => ({
      path: issue.instancePath.slice(1).split('/').join('.'),
      message: issue.message,
    })),
  });
}

/**
 * Makes `scope` (an encapsulated plugin) validate requests and serialise responses with the zod
 * schemas its routes declare, and type handlers from them. Why scoped: `/metrics` and the health
 * routes of the runtime keep fastify's own compilers.
 */
export function useZodSchemas(scope: FastifyInstance) {
  scope.setValidatorCompiler(validator);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setErrorHandler(invalidRequest);
  return scope.withTypeProvider<ZodTypeProvider>();
}

/** A plugin scope whose routes are typed from their zod schemas (see {@link useZodSchemas}). */
export type ZodScope = ReturnType<typeof useZodSchemas>;
