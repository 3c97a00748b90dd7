export const ROLES = ['admin', 'marketing', 'sales', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;
const MARKETING: readonly Role[] = ['admin', 'marketing'];
const SALES: readonly Role[] = ['admin', 'sales'];
const WRITERS: readonly Role[] = ['admin', 'marketing', 'sales'];
const ADMIN: readonly Role[] = ['admin'];

/**
 * The one permission table. Every private route names one of these permissions in its
 * `config.permission`; the auth hook consults this table and nothing else.
 */
export const PERMISSIONS = {
  'people:read': ALL,
  'people:write': WRITERS,
  'people:delete': MARKETING,
  'people:merge': MARKETING,
  'people:stage': WRITERS,
  'accounts:read': ALL,
  'accounts:write': WRITERS,
  'activities:write': WRITERS,
  'imports:read': WRITERS,
  'imports:write': MARKETING,
  'campaigns:read': ALL,
  'campaigns:write': MARKETING,
  'forms:read': ALL,
  'forms:write': MARKETING,
  'scoring:read': ALL,
  'scoring:write': MARKETING,
  'segments:read': ALL,
  'segments:write': MARKETING,
  'emails:read': ALL,
  'emails:write': MARKETING,
  'emails:send': MARKETING,
  'scenarios:read': ALL,
  'scenarios:write': MARKETING,
  'handoff:read': ALL,
  'handoff:act': SALES,
  'assignment:write': WRITERS,
  'opportunities:read': ALL,
  'opportunities:write': SALES,
  'opportunities:import': WRITERS,
  'analytics:read': ALL,
  'targets:write': MARKETING,
  'webhooks:manage': ADMIN,
  'users:list': ALL,
  'users:manage': ADMIN,
  'api-keys:manage': ADMIN,
  'audit:read': ADMIN,
  'settings:read': ALL,
  'settings:write': ADMIN,
  'outbox:read': MARKETING,
  'privacy:manage': ADMIN,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
