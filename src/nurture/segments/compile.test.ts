import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { compileFilter } from './compile.ts';
import { type Filter, parseFilter } from './filter.ts';

const now = new Date('2026-06-01T00:00:00Z');
const opts = { workspaceId: 1, now };

function errorsOf(input: unknown): { path: string; message: string }[] {
  try {
    parseFilter(input);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    return (err as AppError).errors ?? [];
  }
  throw new Error('expected a validation error');
}

describe('filter validation', () => {
  it('names the path of an unknown field', () => {
    const errors = errorsOf({
      and: [
        { field: 'stage', op: 'eq', value: 'mql' },
        { field: 'shoeSize', op: 'eq', value: 3 },
      ],
    });
    expect(errors[0]).toMatchObject({ path: 'filter.and.1.field' });
    expect(errors[0].message).toContain('shoeSize');
  });

  it('rejects an operator the field does not support, and a value of the wrong type', () => {
    expect(errorsOf({ field: 'engagementScore', op: 'contains', value: 'x' })[0].path).toBe('filter.op');
    expect(errorsOf({ field: 'engagementScore', op: 'gte', value: 'sixty' })[0].path).toBe('filter.value');
    expect(errorsOf({ field: 'stage', op: 'eq', value: 'hot' })[0].path).toBe('filter.value');
    expect(errorsOf({ not: { activity: { type: 'page_view', withinDays: -3 } } })[0].path).toBe(
      'filter.not.activity.withinDays',
    );
    expect(errorsOf({ activity: { type: 'teleport' } })[0].path).toBe('filter.activity.type');
  });

  it('rejects empty groups, unknown condition shapes and SQL in field names', () => {
    expect(errorsOf({ and: [] })[0].path).toBe('filter.and');
    expect(errorsOf({ drop: 'table' })[0].path).toBe('filter');
    expect(errorsOf({ field: 'email; DROP TABLE people', op: 'eq', value: 'x' })[0].path).toBe(
      'filter.field',
    );
  });

  it('accepts custom fields, account fields and nested groups', () => {
    const f = parseFilter({
      or: [
        { field: 'customFields.budget', op: 'gte', value: 100 },
        { not: { field: 'account.industry', op: 'in', value: ['製造業', 'IT'] } },
        { campaign: { id: '00000000-0000-4000-8000-000000000001', status: ['attended'] } },
      ],
    });
    expect('or' in f && f.or).toHaveLength(3);
  });
});

describe('compileFilter', () => {
  it('puts every value in a parameter, numbered from firstParam', () => {
    const f: Filter = {
      and: [
        { field: 'company', op: 'contains', value: "x' OR 1=1 --" },
        { field: 'stage', op: 'in', value: ['mql', 'sal'] },
      ],
    };
    const c = compileFilter(f, { ...opts, firstParam: 4 });
    expect(c.sql).not.toContain('OR 1=1');
    expect(c.sql).toContain('$4');
    expect(c.sql).toContain('$5');
    expect(c.params).toEqual(["%x' or 1=1 --%", ['mql', 'sal']]);
  });

  it('computes "within N days" from the given clock', () => {
    const c = compileFilter(
      { activity: { type: 'page_view', urlContains: '/pricing', withinDays: 30, min: 2 } },
      opts,
    );
    expect(c.params).toContain('2026-05-02T00:00:00.000Z');
    expect(c.sql).toContain('HAVING count(*) >= 2');
  });

  it('uses uncorrelated sets by default and correlated probes for one person', () => {
    const f: Filter = { activity: { type: 'event_attended' } };
    expect(compileFilter(f, opts).sql).toMatch(/^p\.id IN \(SELECT a\.person_id FROM activities a/);
    expect(compileFilter(f, { ...opts, strategy: 'person' }).sql).toMatch(
      /^EXISTS \(SELECT 1 FROM activities a WHERE a\.person_id = p\.id/,
    );
  });

  it('escapes LIKE wildcards in text conditions', () => {
    const c = compileFilter({ field: 'email', op: 'endsWith', value: '100%_off.jp' }, opts);
    expect(c.params[0]).toBe('%100\\%\\_off.jp');
  });

  it('fails with a 422 on an unresolved segment reference', () => {
    expect(() => compileFilter({ segment: '00000000-0000-4000-8000-000000000001' }, opts)).toThrow(AppError);
  });
});

describe('number comparisons', () => {
  it('compare integer columns with an integer as integers, and with a fraction exactly', () => {
    const whole = compileFilter(parseFilter({ field: 'employeeCount', op: 'gte', value: 300 }), opts);
    expect(whole.sql).toContain('p.employee_count >= $1::int');
    expect(whole.params).toEqual([300]);
    const fraction = compileFilter(parseFilter({ field: 'employeeCount', op: 'gt', value: 299.5 }), opts);
    expect(fraction.sql).toContain('p.employee_count > $1::numeric');
    const between = compileFilter(parseFilter({ field: 'fitScore', op: 'between', value: [10, 20.5] }), opts);
    expect(between.sql).toContain('BETWEEN $1::int AND $2::numeric');
    const custom = compileFilter(parseFilter({ field: 'customFields.seats', op: 'gte', value: 10 }), opts);
    expect(custom.sql).toContain('::numeric');
  });
});
