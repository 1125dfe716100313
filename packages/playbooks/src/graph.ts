/** A node of the step graph: its id and the ids it waits for. */
export interface GraphNode {
  readonly id: string;
  readonly after: readonly string[];
}

/** The nodes in dependency order, or the ids on a cycle. */
export type OrderResult = { ok: true; order: number[] } | { ok: false; cycle: string[] };

/**
 * Orders nodes so that every node follows the nodes it waits for; among nodes that are ready at the
 * same time, declaration order wins. Why the tie-break: the plan must be identical on every run.
 * Unknown ids in `after` are ignored here (the schema reports them).
 */
export function topologicalOrder(nodes: readonly GraphNode[]): OrderResult {
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const remaining = nodes.map((node) => new Set(node.after.filter((id) => index.has(id))));
  const done = new Set<number>();
  const order: number[] = [];
  while (order.length < nodes.length) {
    const next = remaining.findIndex(
      (deps, i) => !done.has(i) && [...deps].every((id) => done.has(index.get(id) ?? -1)),
    );
    if (next === -1) return { ok: false, cycle: findCycle(nodes, index, done) };
    done.add(next);
    order.push(next);
  }
  return { ok: true, order };
}

function findCycle(nodes: readonly GraphNode[], index: Map<string, number>, done: Set<number>): string[] {
  // Every node left waits for another node left: walk until a node repeats.
  let current = nodes.findIndex((_, i) => !done.has(i));
  const seen: number[] = [];
  while (current !== -1 && !seen.includes(current)) {
    seen.push(current);
    const node = nodes[current];
    const nextId = node?.after.find((id) => {
      const i = index.get(id);
      return i !== undefined && !done.has(i);
    });
    current = nextId === undefined ? -1 : (index.get(nextId) ?? -1);
  }
  const start = seen.indexOf(current);
  const cycle = (start === -1 ? seen : seen.slice(start)).map((i) => nodes[i]?.id ?? '?');
  return [...cycle, cycle[0] ?? '?'];
}
