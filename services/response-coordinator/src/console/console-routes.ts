import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@ir/runtime';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleSettings } from './console-settings.js';
import { securityHeaders } from './security-headers.js';
import { contentTypeOf, type FoundFile, fileInside, pathInside } from './static-files.js';

/** Where the console is served: the base `vite build` was given (`base: '/console/'`). */
export const CONSOLE_PATH = '/console';

/** Hashed build output: its name changes with its content, so a browser may keep it forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page and anything unhashed: kept, but asked again each time (so a new build is seen at once). */
export const REVALIDATE = 'no-cache';

const notFound = (reply: FastifyReply, message: string) =>
  reply.code(404).header('cache-control', 'no-store').send({ error: 'not-found', message });

const sendFile = (reply: FastifyReply, file: FoundFile, cacheControl: string) =>
  reply
    .type(contentTypeOf(file.path))
    .header('content-length', file.size)
    .header('cache-control', cacheControl)
    .send(createReadStream(file.path));

/**
 * The web console under `/console/`, outside the bearer-token hook: its files are public (they hold
 * no data; every read and decision goes through the operator API with the person's token). Every
 * answer carries the console's security headers (a strict Content-Security-Policy among them).
 *
 * - `GET /console/assets/*`: the hashed build output, cached for a year as immutable; 404 if absent.
 * - `GET /console/config.json`: the issuer, client id and audience the console signs in with.
 * - `GET /console/*`: a file at the top of the build (e.g. a favicon) if there is one, else
 *   `index.html` (the console routes in the browser: `/console/incidents/inc-1` is a page of it),
 *   both revalidated on every use. A path that leaves the directory is a 404.
 * - `GET /console`: redirected to `/console/`.
 *
 * When the console is off (static-token mode, or nothing built), every `/console` path answers 404
 * saying why, and the start-up log says it too.
 */
export function consoleRoutes(settings: ConsoleSettings, logger: Logger) {
  return async (app: FastifyInstance): Promise<void> => {
    if (settings.enabled) {
      logger.info(
        { dir: settings.dir, clientId: settings.client.clientId, issuer: settings.client.issuer },
        'console_enabled',
      );
    } else {
      logger.info({ reason: settings.reason }, 'console_disabled');
    }
    await app.register(async (scope) => {
      const headers = securityHeaders(settings.enabled ? settings.identityProviderOrigins : []);
      scope.addHook('onRequest', async (_request, reply) => {
        reply.headers(headers);
      });

      scope.get(CONSOLE_PATH, async (request, reply) => {
        if (!settings.enabled) return notFound(reply, `the console is off: ${settings.reason}`);
        const query = request.url.indexOf('?');
        return reply.redirect(`${CONSOLE_PATH}/${query >= 0 ? request.url.slice(query) : ''}`, 308);
      });

      if (!settings.enabled) {
        scope.get(`${CONSOLE_PATH}/*`, async (_request, reply) =>
          notFound(reply, `the console is off: ${settings.reason}`),
        );
        return;
      }
      const { dir, client } = settings;

      scope.get(`${CONSOLE_PATH}/config.json`, async (_request, reply) =>
        reply.header('cache-control', 'no-store').send(client),
      );

      scope.get<{ Params: { '*': string } }>(`${CONSOLE_PATH}/assets/*`, async (request, reply) => {
        const file = await fileInside(join(dir, 'assets'), request.params['*']);
        if (!file) return notFound(reply, 'no such console asset');
        return sendFile(reply, file, IMMUTABLE);
      });

      scope.get<{ Params: { '*': string } }>(`${CONSOLE_PATH}/*`, async (request, reply) => {
        const relative = request.params['*'];
        if (relative !== '' && pathInside(dir, relative) === undefined) {
          return notFound(reply, 'no such console page');
        }
        const file =
          relative === '' || relative === 'index.html' ? undefined : await fileInside(dir, relative);
        if (file) return sendFile(reply, file, REVALIDATE);
        // Read on each request: it is small, and a rebuild while the service runs is served at once.
        const page = await readFile(join(dir, 'index.html'));
        const etag = `"${createHash('sha256').update(page).digest('base64url').slice(0, 27)}"`;
        reply.header('cache-control', REVALIDATE).header('etag', etag);
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.type('text/html; charset=utf-8').send(page);
      });
    });
  };
}
