import { parseFindings } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

type Asff = { Region?: string; Resources: { Type: string; Region?: string }[] };

describe('resource regions in Security Hub findings', () => {
  it('keeps an instance’s or bucket’s own region only when it differs from the finding’s', () => {
    // Prepare: the first finding's instance lives in another region; the second's bucket in the same.
    const event = fixture('security-hub-imported-three.json') as { detail: { findings: Asff[] } };
    const [instanceFinding, bucketFinding] = event.detail.findings as [Asff, Asff];
    for (const resource of instanceFinding.Resources) resource.Region = 'ap-southeast-2';
    for (const resource of bucketFinding.Resources) resource.Region = bucketFinding.Region;
    // Act
    const [first, second] = parseFindings(event);
    // Assess
    expect(first?.resources[0]).toMatchObject({ kind: 'ec2-instance', region: 'ap-southeast-2' });
    expect(first?.region).not.toBe('ap-southeast-2');
    expect(second?.resources[0]).not.toHaveProperty('region');
  });
});
