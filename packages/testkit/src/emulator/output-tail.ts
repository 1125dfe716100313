import type { Readable } from 'node:stream';

/**
 * Keeps the last `limit` characters a child process wrote, so a failure can show what the process
 * said without buffering everything it ever logged (moto logs one line per request).
 */
export class OutputTail {
  private text = '';

  constructor(private readonly limit = 4_000) {}

  /** Reads `stream` to its end, keeping only the tail; the stream keeps flowing so the child never blocks. */
  follow(stream: Readable | null): this {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => this.append(chunk));
    return this;
  }

  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }

  toString(): string {
    return this.text.trimEnd();
  }
}

/** `message`, followed by what the process printed last (so a CI log shows why it failed). */
export function withOutput(message: string, output: OutputTail, label: string): string {
  const text = output.toString();
  return text ? `${message}\n--- ${label} (last lines) ---\n${text}` : message;
}
