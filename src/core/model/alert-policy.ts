import type { AlertSeverity, NotifierDeclaration } from "./alerts.js";

/**
 * When a DAG's failed runs become an alert, how repeats are limited and whether a later success
 * resolves it (docs/alerts.md, "Alert policies"). Set per DAG (`alertPolicy`) or for every DAG
 * (`BATON_ALERT_ROUTES`'s `policy`); a DAG's own keys win.
 */
export interface AlertPolicySpec {
  /** Alert once this many runs in a row have failed. Default 1. */
  afterConsecutiveFailures: number;
  /** Send `recovered` (same dedupKey) to whoever was alerted when a run then succeeds. Default true. */
  resolveOnRecovery: boolean;
  /** While the incident stays open, alert again for a failure at most this often; null: once per incident. */
  repeatEveryMs: number | null;
  severity: AlertSeverity;
  /** Notifiers of this DAG's policy alerts, besides the routes that match. */
  notify: NotifierDeclaration[];
}

/** A global route: an alert whose DAG matches goes to `notify`. Every condition given must hold. */
export interface AlertRoute {
  match: {
    /** At least one of these tags. */
    tags?: string[];
    /** One of these owners. */
    owners?: string[];
    /** One of these severities. */
    severities?: AlertSeverity[];
    /** One of these DAG ids. */
    dagIds?: string[];
  };
  notify: NotifierDeclaration[];
}

/** What `BATON_ALERT_ROUTES` (or its file) holds once read. */
export interface AlertRouting {
  /** Defaults of every DAG's policy; a DAG's `alertPolicy` keys override them. */
  policy: Partial<AlertPolicySpec>;
  routes: AlertRoute[];
}

export const NO_ROUTING: AlertRouting = { policy: {}, routes: [] };

export const DEFAULT_ALERT_POLICY: AlertPolicySpec = {
  afterConsecutiveFailures: 1,
  resolveOnRecovery: true,
  repeatEveryMs: null,
  severity: "error",
  notify: [],
};

/** The policy that applies to a DAG: its own keys, else the global defaults, else Baton's. */
export function effectivePolicy(own: Partial<AlertPolicySpec> | null | undefined, routing: AlertRouting): AlertPolicySpec {
  return { ...DEFAULT_ALERT_POLICY, ...routing.policy, ...(own ?? {}) };
}

/** The notifiers of the routes matching a DAG's tags, owner and the alert's severity (in route order, duplicates dropped). */
export function routedNotifiers(
  routing: AlertRouting,
  dag: { dagId: string; tags: readonly string[]; owner: string | null },
  severity: AlertSeverity,
): NotifierDeclaration[] {
  const out: NotifierDeclaration[] = [];
  const seen = new Set<string>();
  for (const route of routing.routes) {
    const m = route.match;
    if (m.tags && !m.tags.some((t) => dag.tags.includes(t))) continue;
    if (m.owners && (dag.owner === null || !m.owners.includes(dag.owner))) continue;
    if (m.severities && !m.severities.includes(severity)) continue;
    if (m.dagIds && !m.dagIds.includes(dag.dagId)) continue;
    for (const n of route.notify) {
      const key = JSON.stringify(n);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(n);
      }
    }
  }
  return out;
}
