import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../../app/api.ts';
import {
  emptyGroup,
  fieldKind,
  type GroupNode,
  type LeafNode,
  LIST_OPS,
  NO_VALUE_OPS,
  type Node,
  newLeaf,
  updateNode,
} from './filter-model.ts';
import {
  ACTIVITY_TYPES,
  CAMPAIGN_STATUSES,
  type FieldInfo,
  GRADES,
  type Page,
  type Segment,
  STAGES,
} from './types.ts';

interface Options {
  fields: FieldInfo[];
  customOps: string[];
  campaigns: { id: string; name: string }[];
  users: { id: string; name: string; email: string }[];
  segments: { id: string; name: string }[];
}

/** Field list, campaigns, users and segments the builder offers in its selects. */
export function useFilterOptions(excludeSegmentId?: string): Options | undefined {
  const fields = useQuery({
    queryKey: ['segment-fields'],
    queryFn: () => api<{ fields: FieldInfo[]; customFieldOps: string[] }>('/api/v1/segments/fields'),
  });
  const campaigns = useQuery({
    queryKey: ['campaigns-lite'],
    queryFn: () => api<Page<{ id: string; name: string }>>('/api/v1/campaigns'),
  });
  const users = useQuery({
    queryKey: ['users-lite'],
    queryFn: () => api<Page<{ id: string; name: string; email: string }>>('/api/v1/users'),
  });
  const segments = useQuery({
    queryKey: ['segments-lite'],
    queryFn: () => api<Page<Segment>>('/api/v1/segments?limit=500'),
  });
  if (!fields.data) return undefined;
  return {
    fields: fields.data.fields,
    customOps: fields.data.customFieldOps,
    campaigns: campaigns.data?.items ?? [],
    users: users.data?.items ?? [],
    segments: (segments.data?.items ?? []).filter((s) => s.id !== excludeSegmentId),
  };
}

/** The and/or/not condition builder: no JSON to write. */
export function FilterBuilder({
  value,
  onChange,
  options,
}: {
  value: GroupNode;
  onChange: (g: GroupNode) => void;
  options: Options;
}) {
  const update = (id: string, fn: (n: Node) => Node | null) => onChange(updateNode(value, id, fn));
  return (
    <div className="filter-builder" data-testid="filter-builder">
      <GroupEditor node={value} depth={0} update={update} options={options} />
    </div>
  );
}

type Update = (id: string, fn: (n: Node) => Node | null) => void;

function GroupEditor({
  node,
  depth,
  update,
  options,
}: {
  node: GroupNode;
  depth: number;
  update: Update;
  options: Options;
}) {
  const { t } = useTranslation();
  const add = (child: Node) =>
    update(node.id, (n) => ({ ...(n as GroupNode), children: [...(n as GroupNode).children, child] }));
  return (
    <div className={`filter-group${node.not ? ' filter-not' : ''}`} data-depth={depth}>
      <div className="filter-group-head row">
        <select
          aria-label={t('filter.match.and')}
          value={node.op}
          onChange={(e) =>
            update(node.id, (n) => ({ ...(n as GroupNode), op: e.target.value as 'and' | 'or' }))
          }
          data-testid="group-op"
        >
          <option value="and">{t('filter.match.and')}</option>
          <option value="or">{t('filter.match.or')}</option>
        </select>
        {depth > 0 && <NotToggle node={node} update={update} />}
        <span className="spacer" />
        {depth > 0 && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => update(node.id, () => null)}>
            {t('filter.remove')}
          </button>
        )}
      </div>
      <div className="filter-children">
        {node.children.map((c) =>
          c.kind === 'group' ? (
            <GroupEditor key={c.id} node={c} depth={depth + 1} update={update} options={options} />
          ) : (
            <LeafEditor key={c.id} node={c} update={update} options={options} />
          ),
        )}
      </div>
      <div className="row filter-add">
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => add(newLeaf('field', options.fields))}
          data-testid="add-condition"
        >
          {t('filter.addCondition')}
        </button>
        {depth < 4 && (
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => add(emptyGroup(node.op === 'and' ? 'or' : 'and'))}
            data-testid="add-group"
          >
            {t('filter.addGroup')}
          </button>
        )}
      </div>
    </div>
  );
}

function NotToggle({ node, update }: { node: Node; update: Update }) {
  const { t } = useTranslation();
  return (
    <label className="filter-not-toggle">
      <input
        type="checkbox"
        checked={node.not}
        onChange={(e) => update(node.id, (n) => ({ ...n, not: e.target.checked }))}
        data-testid="not-toggle"
      />{' '}
      {t('filter.not')}
    </label>
  );
}

const KINDS: LeafNode['kind'][] = ['field', 'activity', 'campaign', 'stageChange', 'segment'];

function LeafEditor({ node, update, options }: { node: LeafNode; update: Update; options: Options }) {
  const { t } = useTranslation();
  const set = (patch: Partial<LeafNode>) => update(node.id, (n) => ({ ...n, ...patch }) as Node);
  return (
    <div className={`filter-leaf row${node.not ? ' filter-not' : ''}`} data-testid="filter-leaf">
      <select
        aria-label={t('filter.kind.field')}
        value={node.kind}
        onChange={(e) =>
          update(node.id, () => ({
            ...newLeaf(e.target.value as LeafNode['kind'], options.fields),
            id: node.id,
            not: node.not,
          }))
        }
        data-testid="leaf-kind"
      >
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`filter.kind.${k}`)}
          </option>
        ))}
      </select>
      {node.kind === 'field' && <FieldLeaf node={node} set={set} options={options} />}
      {node.kind === 'activity' && (
        <>
          <select
            aria-label={t('filter.activity.type')}
            value={node.type}
            onChange={(e) => set({ type: e.target.value })}
            data-testid="activity-type"
          >
            <option value="">{t('filter.any')}</option>
            {ACTIVITY_TYPES.map((a) => (
              <option key={a} value={a}>
                {t(`activity.${a}`)}
              </option>
            ))}
          </select>
          <input
            className="filter-input"
            placeholder={t('filter.activity.urlContains')}
            aria-label={t('filter.activity.urlContains')}
            value={node.urlContains}
            onChange={(e) => set({ urlContains: e.target.value })}
            data-testid="activity-url"
          />
          <select
            aria-label={t('filter.activity.campaign')}
            value={node.campaignId}
            onChange={(e) => set({ campaignId: e.target.value })}
          >
            <option value="">
              {t('filter.activity.campaign')}: {t('filter.any')}
            </option>
            {options.campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <label className="filter-small">
            {t('filter.activity.withinDays')}
            <input
              type="number"
              min={1}
              value={node.withinDays}
              onChange={(e) => set({ withinDays: e.target.value })}
              data-testid="activity-days"
            />
          </label>
          <label className="filter-small">
            {t('filter.activity.min')}
            <input
              type="number"
              min={0}
              value={node.min}
              onChange={(e) => set({ min: e.target.value })}
              data-testid="activity-min"
            />
          </label>
          <label className="filter-small">
            {t('filter.activity.max')}
            <input
              type="number"
              min={0}
              value={node.max}
              onChange={(e) => set({ max: e.target.value })}
              data-testid="activity-max"
            />
          </label>
        </>
      )}
      {node.kind === 'campaign' && (
        <>
          <select
            aria-label={t('filter.kind.campaign')}
            value={node.campaignId}
            onChange={(e) => set({ campaignId: e.target.value })}
            data-testid="campaign-select"
          >
            <option value="">—</option>
            {options.campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <Checkboxes
            values={CAMPAIGN_STATUSES}
            label={(s) => t(`campaignStatus.${s}`)}
            selected={node.status}
            onChange={(status) => set({ status })}
          />
        </>
      )}
      {node.kind === 'stageChange' && (
        <>
          <select
            aria-label={t('filter.stageChange.to')}
            value={node.to}
            onChange={(e) => set({ to: e.target.value })}
          >
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`)}
              </option>
            ))}
          </select>
          <label className="filter-small">
            {t('filter.activity.withinDays')}
            <input
              type="number"
              min={1}
              value={node.withinDays}
              onChange={(e) => set({ withinDays: e.target.value })}
            />
          </label>
        </>
      )}
      {node.kind === 'segment' && (
        <select
          aria-label={t('filter.kind.segment')}
          value={node.segmentId}
          onChange={(e) => set({ segmentId: e.target.value })}
          data-testid="segment-select"
        >
          <option value="">—</option>
          {options.segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      )}
      <NotToggle node={node} update={update} />
      <span className="spacer" />
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        onClick={() => update(node.id, () => null)}
        aria-label={t('filter.remove')}
      >
        ×
      </button>
    </div>
  );
}

function FieldLeaf({
  node,
  set,
  options,
}: {
  node: Extract<LeafNode, { kind: 'field' }>;
  set: (patch: Partial<LeafNode>) => void;
  options: Options;
}) {
  const { t } = useTranslation();
  const kind = fieldKind(options.fields, node.field);
  const ops =
    kind === 'custom' ? options.customOps : (options.fields.find((f) => f.name === node.field)?.ops ?? []);
  const isCustom = node.field.startsWith('customFields.');
  const pickField = (name: string) => {
    const f = options.fields.find((x) => x.name === name);
    const nextOps = name === 'customFields.' ? options.customOps : (f?.ops ?? []);
    set({
      field: name,
      op: nextOps.includes(node.op) ? node.op : (nextOps[0] ?? 'eq'),
      value: '',
      values: [],
    } as Partial<LeafNode>);
  };
  return (
    <>
      <select
        aria-label={t('filter.kind.field')}
        value={isCustom ? 'customFields.' : node.field}
        onChange={(e) => pickField(e.target.value)}
        data-testid="field-select"
      >
        {options.fields.map((f) => (
          <option key={f.name} value={f.name}>
            {t(`field.${f.name}`, { defaultValue: f.name })}
          </option>
        ))}
        <option value="customFields.">{t('field.custom')}</option>
      </select>
      {isCustom && (
        <input
          className="filter-input"
          aria-label={t('field.customKey')}
          placeholder={t('field.customKey')}
          value={node.field.slice('customFields.'.length)}
          onChange={(e) => set({ field: `customFields.${e.target.value}` } as Partial<LeafNode>)}
        />
      )}
      <select
        aria-label={t('filter.value')}
        value={node.op}
        onChange={(e) => set({ op: e.target.value } as Partial<LeafNode>)}
        data-testid="op-select"
      >
        {ops.map((o) => (
          <option key={o} value={o}>
            {t(`filter.op.${o}`)}
          </option>
        ))}
      </select>
      <ValueInput node={node} kind={kind} set={set} options={options} />
    </>
  );
}

function ValueInput({
  node,
  kind,
  set,
  options,
}: {
  node: Extract<LeafNode, { kind: 'field' }>;
  kind: FieldInfo['kind'] | 'custom';
  set: (patch: Partial<LeafNode>) => void;
  options: Options;
}) {
  const { t } = useTranslation();
  const op = node.op;
  if (NO_VALUE_OPS.includes(op)) return null;
  const choice = kind === 'stage' ? STAGES : kind === 'grade' ? GRADES : null;
  const label = (v: string) => (kind === 'stage' ? t(`stage.${v}`) : v);
  if (choice && LIST_OPS.includes(op)) {
    return (
      <Checkboxes
        values={choice}
        label={label}
        selected={node.values}
        onChange={(values) => set({ values } as Partial<LeafNode>)}
      />
    );
  }
  if (choice) {
    return (
      <select
        aria-label={t('filter.value')}
        value={node.value}
        onChange={(e) => set({ value: e.target.value } as Partial<LeafNode>)}
        data-testid="value-select"
      >
        <option value="">—</option>
        {choice.map((v) => (
          <option key={v} value={v}>
            {label(v)}
          </option>
        ))}
      </select>
    );
  }
  if (
    kind === 'uuid' &&
    (node.field === 'ownerId' || node.field === 'account.ownerId') &&
    !LIST_OPS.includes(op)
  ) {
    return (
      <select
        aria-label={t('filter.value')}
        value={node.value}
        onChange={(e) => set({ value: e.target.value } as Partial<LeafNode>)}
      >
        <option value="">—</option>
        {options.users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name || u.email}
          </option>
        ))}
      </select>
    );
  }
  if (kind === 'bool') {
    return (
      <select
        aria-label={t('filter.value')}
        value={node.value}
        onChange={(e) => set({ value: e.target.value } as Partial<LeafNode>)}
        data-testid="value-select"
      >
        <option value="">—</option>
        <option value="true">{t('filter.true')}</option>
        <option value="false">{t('filter.false')}</option>
      </select>
    );
  }
  if (op === 'between') {
    const [lo = '', hi = ''] = node.value.split('~');
    return (
      <span className="row filter-between">
        <input
          type="number"
          aria-label="min"
          value={lo}
          onChange={(e) => set({ value: `${e.target.value}~${hi}` } as Partial<LeafNode>)}
        />
        <span>〜</span>
        <input
          type="number"
          aria-label="max"
          value={hi}
          onChange={(e) => set({ value: `${lo}~${e.target.value}` } as Partial<LeafNode>)}
        />
      </span>
    );
  }
  const type =
    op === 'withinDays' || op === 'olderThanDays' || kind === 'number'
      ? 'number'
      : op === 'before' || op === 'after'
        ? 'date'
        : 'text';
  return (
    <span className="row">
      <input
        className="filter-input"
        type={type}
        aria-label={t('filter.value')}
        placeholder={LIST_OPS.includes(op) ? t('filter.valuesHint') : t('filter.value')}
        value={node.value}
        onChange={(e) => set({ value: e.target.value, values: [] } as Partial<LeafNode>)}
        data-testid="value-input"
      />
      {(op === 'withinDays' || op === 'olderThanDays') && <span>{t('filter.days')}</span>}
    </span>
  );
}

function Checkboxes({
  values,
  label,
  selected,
  onChange,
}: {
  values: string[];
  label: (v: string) => string;
  selected: string[];
  onChange: (v: string[]) => void;
}) {
  return (
    <span className="row filter-checks">
      {values.map((v) => (
        <label key={v}>
          <input
            type="checkbox"
            checked={selected.includes(v)}
            onChange={(e) => onChange(e.target.checked ? [...selected, v] : selected.filter((x) => x !== v))}
            data-value={v}
          />{' '}
          {label(v)}
        </label>
      ))}
    </span>
  );
}
