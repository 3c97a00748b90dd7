import type { FunctionComponent } from 'react';

/** A page of the SPA: the shell turns these into routes. `path` uses `$param` segments (`/people/$id`). */
export interface WebRoute {
  path: string;
  component: FunctionComponent;
}

export interface NavItem {
  to: string;
  /** i18n key of the label. */
  label: string;
  /** Roles that see the item; all when omitted. */
  roles?: string[];
  order: number;
}

/** A panel a feature adds to the lead page (/people/$id): score explanation, handoff story, scenarios… */
export interface PersonPanel {
  id: string;
  order: number;
  component: FunctionComponent<{ personId: string }>;
}

/** What a feature folder adds to the web UI. */
export interface WebFeature {
  /** Panels shown on the lead page, in `order`. */
  personPanels?: PersonPanel[];
  routes: WebRoute[];
  nav?: NavItem[];
  /** Translations merged into the `translation` namespace: { ja: {...}, en: {...} }. */
  messages: { ja: Record<string, string>; en: Record<string, string> };
}

/** Combines parts of one web feature folder, each owned by its own module. */
export function mergeWebFeatures(parts: WebFeature[]): WebFeature {
  return {
    routes: parts.flatMap((p) => p.routes),
    nav: parts.flatMap((p) => p.nav ?? []),
    personPanels: parts.flatMap((p) => p.personPanels ?? []),
    messages: {
      ja: Object.assign({}, ...parts.map((p) => p.messages.ja)),
      en: Object.assign({}, ...parts.map((p) => p.messages.en)),
    },
  };
}
