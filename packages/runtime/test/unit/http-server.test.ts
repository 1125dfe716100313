import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHttpServer, MAX_PARAM_LENGTH } from '../../src/http/server.js';

describe('createHttpServer', () => {
  it('accepts a path parameter as long as a fanned-out step id (fastify refuses over 100 by default)', async () => {
    // Prepare: a route like the operator API's step approval, and the id of an EKS pod's step
    const app = createHttpServer({
      registry: new Registry(),
      isLive: () => true,
      isReady: () => true,
      logger: pino({ level: 'silent' }),
    });
    app.post('/incidents/:incidentId/steps/:stepId/approve', async (request) => request.params);
    const stepId = `join-3.restrict-workload-endpoint:${'payments-prod.payments.'.padEnd(120, 'x')}`;
    // Act
    const long = await app.inject({
      method: 'POST',
      url: `/incidents/inc-1/steps/${encodeURIComponent(stepId)}/approve`,
    });
    const tooLong = await app.inject({
      method: 'POST',
      url: `/incidents/inc-1/steps/${'x'.repeat(MAX_PARAM_LENGTH + 1)}/approve`,
    });
    // Assess
    expect(stepId.length).toBeGreaterThan(100);
    expect(long.statusCode).toBe(200);
    expect(long.json()).toEqual({ incidentId: 'inc-1', stepId });
    expect(tooLong.statusCode).toBe(414);
    await app.close();
  });
});
