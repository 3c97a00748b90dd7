import type { FieldInfo, Filter } from './types.ts';

/**
 * The segment editor's tree: what the builder edits. Inputs keep their text as typed; the
 * conversion to the API's filter JSON (and back) happens here, in one place.
 */
export type Node = GroupNode | LeafNode;

export interface GroupNode {
  id: string;
  kind: 'group';
  not: boolean;
  op: 'and' | 'or';
  children: Node[];
}

export type LeafNode =
  | { id: string; not: boolean; kind: 'field'; field: string; op: string; value: string; values: string[] }
  | {
      id: string;
      not: boolean;
      kind: 'activity';
      type: string;
      urlContains: string;
      campaignId: string;
      withinDays: string;
      min: string;
      max: string;
    }
  | { id: string; not: boolean; kind: 'campaign'; campaignId: string; status: string[] }
  | { id: string; not: boolean; kind: 'stageChange'; to: string; withinDays: string }
  | { id: string; not: boolean; kind: 'segment'; segmentId: string };

let seq = 0;
export const newId = () => `n${++seq}`;

export function emptyGroup(op: 'and' | 'or' = 'and'): GroupNode {
  return { id: newId(), kind: 'group', not: false, op, children: [] };
}

export function newLeaf(kind: LeafNode['kind'], fields: FieldInfo[]): LeafNode {
  const id = newId();
  switch (kind) {
    case 'field': {
      const f = fields.find((x) => x.name === 'stage') ?? fields[0];
      return {
        id,
        not: false,
        kind,
        field: f?.name ?? 'stage',
        op: f?.ops[0] ?? 'eq',
        value: '',
        values: [],
      };
    }
    case 'activity':
      return {
        id,
        not: false,
        kind,
        type: 'page_view',
        urlContains: '',
        campaignId: '',
        withinDays: '30',
        min: '1',
        max: '',
      };
    case 'campaign':
      return { id, not: false, kind, campaignId: '', status: [] };
    case 'stageChange':
      return { id, not: false, kind, to: 'mql', withinDays: '30' };
    case 'segment':
      return { id, not: false, kind, segmentId: '' };
  }
}

export function fieldKind(fields: FieldInfo[], name: string): FieldInfo['kind'] | 'custom' {
  if (name.startsWith('customFields.')) return 'custom';
  return fields.find((f) => f.name === name)?.kind ?? 'text';
}

export const NO_VALUE_OPS = ['isEmpty', 'isNotEmpty'];
export const LIST_OPS = ['in', 'notIn'];

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const split = (s: string) =>
  s
    .split(/[,、\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

function fieldValue(n: Extract<LeafNode, { kind: 'field' }>, kind: FieldInfo['kind'] | 'custom'): unknown {
  if (NO_VALUE_OPS.includes(n.op)) return undefined;
  if (LIST_OPS.includes(n.op)) return n.values.length ? n.values : split(n.value);
  if (n.op === 'between') {
    const [lo, hi] = n.value.split('~');
    return [Number(lo), Number(hi)];
  }
  if (n.op === 'withinDays' || n.op === 'olderThanDays') return Number(n.value);
  if (kind === 'number') return Number(n.value);
  if (kind === 'custom' && ['gt', 'gte', 'lt', 'lte'].includes(n.op)) return Number(n.value);
  if (kind === 'bool') return n.value === 'true';
  return n.value;
}

function leafFilter(n: LeafNode, fields: FieldInfo[]): Filter {
  switch (n.kind) {
    case 'field': {
      const value = fieldValue(n, fieldKind(fields, n.field));
      return value === undefined ? { field: n.field, op: n.op } : { field: n.field, op: n.op, value };
    }
    case 'activity': {
      const a: Record<string, unknown> = {};
      if (n.type) a.type = n.type;
      if (n.urlContains.trim()) a.urlContains = n.urlContains.trim();
      if (n.campaignId) a.campaignId = n.campaignId;
      if (num(n.withinDays) !== undefined) a.withinDays = num(n.withinDays);
      if (num(n.min) !== undefined) a.min = num(n.min);
      if (num(n.max) !== undefined) a.max = num(n.max);
      return { activity: a };
    }
    case 'campaign':
      return { campaign: n.status.length ? { id: n.campaignId, status: n.status } : { id: n.campaignId } };
    case 'stageChange':
      return {
        stageChange:
          num(n.withinDays) !== undefined ? { to: n.to, withinDays: num(n.withinDays) } : { to: n.to },
      };
    case 'segment':
      return { segment: n.segmentId };
  }
}

/** The API filter of a tree; an empty group matches everyone (`{and: []}` is not valid, so it becomes a no-op condition). */
export function toFilter(n: Node, fields: FieldInfo[]): Filter {
  let f: Filter;
  if (n.kind === 'group') {
    const children = n.children.map((c) => toFilter(c, fields));
    f =
      children.length === 0
        ? { field: 'email', op: 'isNotEmpty' }
        : children.length === 1 && !n.not
          ? children[0]
          : n.op === 'and'
            ? { and: children }
            : { or: children };
  } else f = leafFilter(n, fields);
  return n.not ? { not: f } : f;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/** The tree of an API filter (always rooted in a group). */
export function fromFilter(f: Filter | null | undefined): GroupNode {
  const node = f ? parse(f) : emptyGroup();
  if (node.kind === 'group') return node;
  return { ...emptyGroup(), children: [node] };
}

function parse(f: Filter): Node {
  if ('not' in f) {
    const inner = parse(f.not);
    return { ...inner, not: !inner.not };
  }
  if ('and' in f || 'or' in f) {
    const op = 'and' in f ? 'and' : 'or';
    const list = 'and' in f ? f.and : (f as { or: Filter[] }).or;
    return { id: newId(), kind: 'group', not: false, op, children: list.map(parse) };
  }
  if ('field' in f) {
    const v = f.value;
    return {
      id: newId(),
      not: false,
      kind: 'field',
      field: f.field,
      op: f.op,
      value: Array.isArray(v) ? (f.op === 'between' ? v.join('~') : v.join(', ')) : str(v),
      values: Array.isArray(v) && f.op !== 'between' ? v.map(String) : [],
    };
  }
  if ('activity' in f) {
    const a = f.activity;
    return {
      id: newId(),
      not: false,
      kind: 'activity',
      type: Array.isArray(a.type) ? (a.type[0] ?? '') : (a.type ?? ''),
      urlContains: a.urlContains ?? '',
      campaignId: a.campaignId ?? '',
      withinDays: str(a.withinDays),
      min: str(a.min),
      max: str(a.max),
    };
  }
  if ('campaign' in f)
    return {
      id: newId(),
      not: false,
      kind: 'campaign',
      campaignId: f.campaign.id,
      status: f.campaign.status ?? [],
    };
  if ('stageChange' in f)
    return {
      id: newId(),
      not: false,
      kind: 'stageChange',
      to: f.stageChange.to,
      withinDays: str(f.stageChange.withinDays),
    };
  return { id: newId(), not: false, kind: 'segment', segmentId: (f as { segment: string }).segment };
}

/** Replaces the node with `id` (anywhere in the tree) by the result of `fn`; `null` removes it. */
export function updateNode(root: GroupNode, id: string, fn: (n: Node) => Node | null): GroupNode {
  const walk = (n: Node): Node | null => {
    if (n.id === id) return fn(n);
    if (n.kind !== 'group') return n;
    return { ...n, children: n.children.map(walk).filter((c): c is Node => c !== null) };
  };
  return (walk(root) as GroupNode | null) ?? emptyGroup();
}
