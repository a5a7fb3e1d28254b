/**
 * AST -> canonical query text, for logs, exports ("what query produced this") and round-trip tests.
 * parseQuery(describeQuery(parseQuery(q))) gives back the same AST (tag values re-resolve to themselves;
 * collection: and country: were already resolved into outlet: tags).
 */
import type { QueryNode } from './ast.ts';

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/* Tag values are ids or lowercased names; anything the lexer would split or misread gets quoted. */
function tagValue(value: string): string {
  return /^[\p{L}\p{N}_.-]+$/u.test(value) && !/^[-+]/.test(value) ? value : quote(value);
}

function describeNode(node: QueryNode, parent: 'and' | 'or' | 'not' | 'top'): string {
  switch (node.kind) {
    case 'all':
      return '*';
    case 'term':
      return node.field === 'title' ? `title:${node.value}` : node.value;
    case 'phrase': {
      const q = quote(node.words.join(' '));
      return node.field === 'title' ? `title:${q}` : q;
    }
    case 'proximity': {
      const q = `${quote(node.words.join(' '))}~${node.distance}`;
      return node.field === 'title' ? `title:${q}` : q;
    }
    case 'prefix':
      return node.field === 'title' ? `title:${node.value}*` : `${node.value}*`;
    case 'date':
      // [gte TO lt}: inclusive start instant, exclusive end instant; re-parses to the same bounds.
      return `published:[${node.gte ?? '*'} TO ${node.lt ?? '*'}}`;
    case 'tag':
      return `${node.field}:${tagValue(node.value)}`;
    case 'not':
      return `NOT ${describeNode(node.child, 'not')}`;
    case 'and': {
      // and(all, ...) is how the parser anchors purely negative clauses; "NOT x" re-parses to it.
      const rest = node.children.filter((c) => c.kind !== 'all');
      const s = rest.length === 0 ? '*' : rest.map((c) => describeNode(c, 'and')).join(' AND ');
      return parent === 'not' || (parent === 'and' && rest.length > 1) ? `(${s})` : s;
    }
    case 'or': {
      const s = node.children.map((c) => describeNode(c, 'or')).join(' OR ');
      return parent === 'top' ? s : `(${s})`;
    }
  }
}

/** Renders a query AST as canonical query-language text; the match-everything query renders as "". */
export function describeQuery(node: QueryNode): string {
  return node.kind === 'all' ? '' : describeNode(node, 'top');
}
