import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { awsvpcAttachment } from '@ir/testkit';

/**
 * An HTTP proxy in front of the emulator for the services of a whole-pipeline test. It forwards every
 * request unchanged and answers unchanged, except ECS `DescribeTasks`: there it adds, to each task it
 * was told about, the `ElasticNetworkInterface` attachment ECS reports for an `awsvpc` task.
 *
 * Emulator gap: moto 5.2.5 cannot run an `awsvpc` task (RunTask answers HTTP 500: its ECS model reads
 * `private_dns_name` from the EC2 ENI it creates, which that model lacks). The test runs the task in
 * `bridge` mode and creates its ENI itself (testkit `createEcsTask`); in-process tests patch the SDK
 * (`withAwsvpcAttachments`), but the services here are separate processes, so the answer is completed
 * on the wire instead. Everything else (the task, its definition, the ENI, the groups, the role) is
 * the emulator's. Remove when moto runs awsvpc tasks.
 */
export interface EcsAwsvpcProxy {
  readonly url: string;
  /** Report this ENI as the task's (by task ARN). */
  attach(taskArn: string, eni: { networkInterfaceId: string; subnetId: string }): void;
  stop(): Promise<void>;
}

const DESCRIBE_TASKS = 'AmazonEC2ContainerServiceV20141113.DescribeTasks';

/** Starts the proxy on 127.0.0.1 in front of `upstream` (the emulator's base URL). */
export async function startEcsAwsvpcProxy(upstream: string): Promise<EcsAwsvpcProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const enis = new Map<string, { networkInterfaceId: string; subnetId: string }>();

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      const rewrite = incoming.headers['x-amz-target'] === DESCRIBE_TASKS;
      const proxied = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host },
          agent,
        },
        (answer) => {
          if (!rewrite || answer.statusCode !== 200) {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const document = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              tasks?: { taskArn?: string; attachments?: unknown[] }[];
            };
            for (const task of document.tasks ?? []) {
              const eni = task.taskArn ? enis.get(task.taskArn) : undefined;
              if (eni) task.attachments = [awsvpcAttachment(eni.networkInterfaceId, eni.subnetId)];
            }
            const rewritten = Buffer.from(JSON.stringify(document));
            const {
              'content-length': _length,
              'transfer-encoding': _encoding,
              'x-amz-crc32': _crc,
              ...headers
            } = answer.headers;
            outgoing.writeHead(200, { ...headers, 'content-length': rewritten.length });
            outgoing.end(rewritten);
          });
        },
      );
      proxied.on('error', (error) => {
        if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`emulator unreachable: ${error.message}`);
      });
      proxied.end(body);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('ECS awsvpc proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    attach(taskArn, eni) {
      enis.set(taskArn, eni);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
