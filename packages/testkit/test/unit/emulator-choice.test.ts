import { describe, expect, it } from 'vitest';
import { emulatorChoice } from '../../src/index.js';

describe('emulatorChoice', () => {
  it('adopts AWS_ENDPOINT_URL without a trailing slash', () => {
    // Prepare
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000/', IR_AWS_EMULATOR: 'localstack' };

    // Act
    const choice = emulatorChoice(env);

    // Assess
    expect(choice).toEqual({ kind: 'external', endpoint: 'http://127.0.0.1:5000' });
  });

  it('detects by default and honours IR_AWS_EMULATOR', () => {
    // Prepare
    const none = {};
    const forced = { IR_AWS_EMULATOR: 'moto' };

    // Act
    const detected = emulatorChoice(none);
    const chosen = emulatorChoice(forced);

    // Assess
    expect(detected).toEqual({ kind: 'auto' });
    expect(chosen).toEqual({ kind: 'moto' });
  });

  it('names the variable when a value is wrong', () => {
    // Prepare
    const badKind = { IR_AWS_EMULATOR: 'minio' };
    const badUrl = { AWS_ENDPOINT_URL: 'not a url' };

    // Act
    const choose = (env: NodeJS.ProcessEnv) => () => emulatorChoice(env);

    // Assess
    expect(choose(badKind)).toThrow(/IR_AWS_EMULATOR/);
    expect(choose(badUrl)).toThrow(/AWS_ENDPOINT_URL/);
  });
});
