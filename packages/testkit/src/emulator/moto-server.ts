import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatorError } from '../errors.js';
import { OutputTail, withOutput } from './output-tail.js';

/**
 * Runs moto's server with a watchdog thread that exits as soon as its stdin closes. Our end of that
 * pipe closes whenever this process ends, even on SIGKILL, so moto can never outlive its parent.
 *
 * It also serialises DynamoDB requests. DynamoDB evaluates a condition atomically with its write, and
 * coalescing and incident state rely on that; moto's server is threaded and its DynamoDB backend
 * takes no lock, so nothing but the GIL's timing keeps two conditional writes from both passing.
 * Only DynamoDB is serialised: SQS long polls wait inside the request and must not hold a lock.
 *
 * And it makes one check of moto 5.2.5 cheap without changing its answer. For every message that
 * ReceiveMessage hands out, moto asks for the queue's retention period through GetQueueAttributes,
 * which computes every attribute, so it counts all the messages in the queue three times. With a
 * thousand messages queued, the emulator spent most of its time there (sampled with py-spy): the
 * detection storm test took three minutes alone and ran out of time in CI. The patched check reads the
 * same retention period from the queue object itself.
 *
 * And it stops two leaks that made a 10,000-finding storm grow moto to 11.6 GiB (measured in
 * process, 1,500 TransactWriteItems on a growing table: 2.5 GiB and 274 s unpatched, 90 MiB and 8 s
 * patched). moto's BaseModel.__new__ appends EVERY model instance it ever makes (each DynamoDB item,
 * each SQS message, each deep copy of them) to a class-level `instances_tracked` list, kept only for
 * moto's web dashboard and never pruned, so nothing moto creates is ever freed. And TransactWriteItems
 * deep-copies each whole table it touches before writing, to roll back on failure: with the tracking,
 * every transaction kept a full copy of the table (memory quadratic in the writes); without it, each
 * transaction still costs time in proportion to the table. The patched transaction snapshots only the
 * items it names and puts them back if it fails, which is what the copy was for; its answers are
 * unchanged (the same cancellation reasons, and nothing of a cancelled transaction stays written).
 */
const WATCHDOG_LAUNCHER = [
  'import os, sys, threading',
  'def _watch():',
  '    sys.stdin.buffer.read()',
  '    os._exit(0)',
  'threading.Thread(target=_watch, daemon=True).start()',
  'import moto.server as _server',
  '_dynamodb_lock = threading.Lock()',
  '_dispatch = _server.DomainDispatcherApplication.__call__',
  'def _serialise_dynamodb(self, environ, start_response):',
  "    if environ.get('HTTP_X_AMZ_TARGET', '').startswith('DynamoDB_'):",
  '        with _dynamodb_lock:',
  '            return _dispatch(self, environ, start_response)',
  '    return _dispatch(self, environ, start_response)',
  '_server.DomainDispatcherApplication.__call__ = _serialise_dynamodb',
  'import moto.sqs.models as _sqs',
  'from moto.core.utils import unix_time as _unix_time',
  'def _within_retention(self, queue_name, message):',
  '    retention = int(self.get_queue(queue_name).message_retention_period)',
  '    return retention + message.sent_timestamp / 1000 > _unix_time()',
  '_sqs.SQSBackend.is_message_valid_based_on_retention_period = _within_retention',
  'import moto.core.common_models as _models',
  '_models.BaseModel.__new__ = lambda cls, *args, **kwargs: object.__new__(cls)',
  'import copy as _copy, types as _types',
  'import moto.dynamodb.models as _ddb',
  'from moto.dynamodb.models.table import Table as _Table',
  '_ddb.copy = _types.SimpleNamespace(deepcopy=lambda value, memo=None: value if isinstance(value, _Table) else _copy.deepcopy(value, memo))',
  '_transact = _ddb.DynamoDBBackend.transact_write_items',
  'def _transact_write_items(self, transact_items):',
  '    saved = []',
  '    for entry in transact_items:',
  '        op = next(iter(entry.values()), None)',
  "        table = self.tables.get(op.get('TableName')) if isinstance(op, dict) else None",
  '        if table is None:',
  '            continue',
  "        source = op.get('Key') or op.get('Item') or {}",
  '        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])',
  '        if not all(name in source for name in names):',
  '            continue',
  '        key = {name: source[name] for name in names}',
  '        old = self.get_item(table.name, key)',
  "        saved.append((table.name, key, None if old is None else old.to_json()['Attributes']))",
  '    try:',
  '        return _transact(self, transact_items)',
  '    except Exception:',
  '        for name, key, old in reversed(saved):',
  '            if old is None:',
  '                self.delete_item(name, key)',
  '            else:',
  '                self.put_item(name, old)',
  '        raise',
  '_ddb.DynamoDBBackend.transact_write_items = _transact_write_items',
  '_server.main(sys.argv[1:])',
].join('\n');

export interface StartMotoServerOptions {
  /** Python of a venv with `moto[server]` installed. */
  readonly python: string;
  readonly host?: string;
  readonly startupTimeoutMs?: number;
}

/** A moto server child process. */
export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  /** Terminates the server's process group and waits for it to exit; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts moto on a port the OS picked, and resolves once it answers HTTP. Between asking the OS for a
 * free port and moto binding it another process may take it; that start is retried on a new port.
 */
export async function startMotoServer(options: StartMotoServerOptions): Promise<MotoServer> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error: unknown) {
      const portTaken =
        error instanceof EmulatorError && String(error.context.stderr).includes('Address already in use');
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
}

async function startOnce(options: StartMotoServerOptions): Promise<MotoServer> {
  const { python, host = '127.0.0.1', startupTimeoutMs = 30_000 } = options;
  const port = await freePort(host);
  const endpoint = `http://${host}:${port}`;
  const child = spawn(python, ['-c', WATCHDOG_LAUNCHER, '-H', host, '-p', String(port)], {
    // Own process group, so stop() can signal everything moto may have started.
    detached: process.platform !== 'win32',
    stdio: ['pipe', 'ignore', 'pipe'],
    windowsHide: true,
  });
  const stderr = new OutputTail().follow(child.stderr);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((settle) => {
    child.once('exit', () => settle());
    child.once('error', (error) => {
      spawnError ??= error;
      settle();
    });
  });
  const killOnExit = () => killTree(child, 'SIGKILL');
  process.once('exit', killOnExit);
  // Neither the child nor its pipes keep this process alive; the watchdog ends moto when we end.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();

  const server: MotoServer = {
    endpoint,
    pid: child.pid ?? -1,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (hasEnded(child)) return;
      killTree(child, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) {
        killTree(child, 'SIGKILL');
        await exited;
      }
    },
  };

  const deadline = Date.now() + startupTimeoutMs;
  for (;;) {
    if (hasEnded(child)) {
      await exited;
      await server.stop();
      throw new EmulatorError(
        withOutput(`moto server exited during startup (${python})`, stderr, 'moto stderr'),
        {
          cause: spawnError,
          context: { endpoint, stderr: stderr.toString() },
        },
      );
    }
    if (await answers(`${endpoint}/moto-api/`)) {
      await holdEcsTasksRunning(endpoint);
      return server;
    }
    if (Date.now() > deadline) {
      await server.stop();
      const message = `moto server did not answer at ${endpoint} within ${startupTimeoutMs} ms`;
      throw new EmulatorError(withOutput(message, stderr, 'moto stderr'), {
        context: { endpoint, stderr: stderr.toString() },
      });
    }
    await sleep(100);
  }
}

/**
 * Emulator gap: moto 5.2.5 moves an ECS task one state towards STOPPED on every DescribeTasks that
 * names it (its state manager's `ecs::task` transition, `manual` after 1 call), so a task is STOPPED
 * after four reads; in AWS a running task stays running however often it is described. A step that
 * reads the task once more (the isolator's protected-tag gate) would then find it stopped. The task
 * model is told to move only after a million reads: it stays RUNNING until StopTask.
 */
async function holdEcsTasksRunning(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model_name: 'ecs::task',
      transition: { progression: 'manual', times: 1_000_000 },
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 201) {
    throw new EmulatorError(`moto refused the ECS task transition setting: HTTP ${response.status}`);
  }
}

/** Asks the OS for a port nobody listens on. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new EmulatorError('no TCP port from the OS');
  return address.port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function hasEnded(child: ChildProcess): boolean {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
