import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on, for a service's `IR_HTTP_PORT`. Why not port 0: the test must know
 * each service's port to reach its API, health and metrics, and the services do not report it.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('the OS gave no TCP port');
  return address.port;
}
