import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * True when `presented` equals `expected`, in time that does not depend on where they differ.
 * Why hash first: `timingSafeEqual` needs equal lengths, and comparing lengths would leak one.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * A fastify `onRequest` hook: the request must carry `Authorization: Bearer <token>`. It runs
 * before the body is read, so a caller without the token learns nothing and changes nothing.
 */
export function bearerAuth(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match?.[1] || !tokensEqual(match[1], token)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="incident-response"')
        .send({ error: 'unauthorized', message: 'a valid bearer token is required' });
    }
  };
}
