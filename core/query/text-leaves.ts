/**
 * The free-text leaves of a query that can explain why an article matched. Every backend highlights (and
 * ranks by) the same leaves, so the rule lives next to the AST.
 */
import type { QueryNode } from './ast.ts';

/** A free-text leaf of the query: a term, a phrase, a proximity or a wildcard. */
export type TextLeaf = Extract<QueryNode, { kind: 'term' | 'phrase' | 'proximity' | 'prefix' }>;

/** The text leaves under an even number of NOTs; leaves under a NOT are absent from a matching article. */
export function positiveTextLeaves(node: QueryNode): TextLeaf[] {
  const out: TextLeaf[] = [];
  const walk = (n: QueryNode, negated: boolean): void => {
    switch (n.kind) {
      case 'term':
      case 'phrase':
      case 'proximity':
      case 'prefix':
        if (!negated) out.push(n);
        return;
      case 'and':
      case 'or':
        for (const c of n.children) walk(c, negated);
        return;
      case 'not':
        walk(n.child, !negated);
        return;
      case 'tag':
      case 'date':
      case 'all':
        return;
    }
  };
  walk(node, false);
  return out;
}
