import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = join(import.meta.dirname, '..', '..', 'src');

/** Relative imports (type-only ones too: they tie the modules together for readers and tools). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(srcDir, file), 'utf8');
  return [...text.matchAll(/from '\.\/([a-z0-9-]+)\.js'/g)].map((match) => `${match[1]}.ts`);
}

/** The first cycle in a module graph, as a path that starts and ends at the same module. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('playbooks module graph', () => {
  it('has no import cycle (schema.ts and validate.ts once imported each other)', () => {
    // Prepare
    const files = readdirSync(srcDir).filter((file) => file.endsWith('.ts'));
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    // Act
    const cycle = findCycle(graph);
    // Assess
    expect(files.length).toBeGreaterThan(10);
    expect(graph.get('schema.ts')).toContain('validate.ts');
    expect(cycle, cycle?.join(' → ')).toBeUndefined();
  });

  it('finds a cycle when there is one', () => {
    // Prepare / Act / Assess
    expect(
      findCycle(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
        ]),
      ),
    ).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });
});
