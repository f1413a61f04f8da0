// YAML aliases let a small file stand for a huge one (the "billion laughs": ten aliases of ten aliases of
// …). Whoever reads the file pays for the expansion: the workflow parser copies each alias's node and,
// for each alias it meets, passes over the whole document again to find its anchor. So before a workflow
// or a template is read, what its aliases would cost is counted, without expanding them.
import { isAlias, isMap, isPair, isSeq, type Document, type Node } from 'yaml';

/** Steps this check will take to expand a file's aliases: the nodes they add, plus a pass over the file for each alias met. */
export const ALIAS_STEPS = 1_000_000;

interface Cost {
  /** Nodes once every alias is expanded. */
  nodes: number;
  /** Aliases met while expanding. */
  aliases: number;
}

/** Why the document's aliases cannot be expanded (within ALIAS_STEPS, or at all), or undefined when they can (or there are none). */
export function aliasProblem(doc: Document): string | undefined {
  // Anchors as the parser resolves them: an alias names the latest node before it with that anchor.
  const anchors = new Map<string, unknown>();
  const costs = new Map<unknown, Cost>();
  const open = new Set<unknown>();
  let written = 0;
  let circular = false;
  let unresolved: string | undefined;
  const cost = (node: unknown): Cost => {
    if (node === null || node === undefined) return { nodes: 0, aliases: 0 };
    written++;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        unresolved ??= node.source;
        return { nodes: 0, aliases: 0 };
      }
      if (open.has(target)) {
        circular = true;
        return { nodes: 0, aliases: 0 };
      }
      const of = costs.get(target) ?? { nodes: 0, aliases: 0 };
      return { nodes: of.nodes, aliases: of.aliases + 1 };
    }
    const anchor = (node as Node).anchor;
    if (anchor) anchors.set(anchor, node);
    open.add(node);
    const total = { nodes: 1, aliases: 0 };
    const add = (part: Cost) => {
      total.nodes += part.nodes;
      total.aliases += part.aliases;
    };
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          add(cost(item.key));
          add(cost(item.value));
        } else add(cost(item));
      }
    }
    open.delete(node);
    costs.set(node, total);
    return total;
  };
  const { nodes, aliases } = cost(doc.contents);
  // The parser reports neither: the workflow parser would drop the alias, and a template's reader would fail on it.
  if (unresolved !== undefined) return `the YAML alias *${unresolved} names no anchor before it`;
  if (circular) return 'a YAML alias names the node that holds it, which would expand without end';
  if (aliases === 0) return undefined;
  const steps = nodes - written + aliases * written;
  if (steps <= ALIAS_STEPS) return undefined;
  return `its YAML aliases expand too far: ${aliases} aliases (each a pass over the ${written} nodes written) adding ${nodes - written} nodes, more than the ${ALIAS_STEPS} steps this check takes`;
}
