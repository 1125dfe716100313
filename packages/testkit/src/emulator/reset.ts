/** The HTTP call that wipes an emulator's state, per emulator. */
export const RESET_PATHS = {
  moto: '/moto-api/reset',
  localstack: '/_localstack/state/reset',
} as const;

/** POSTs to `path` on the emulator; true when it answered 2xx. */
export async function postReset(endpoint: string, path: string): Promise<boolean> {
  try {
    const response = await fetch(new URL(path, endpoint), {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
