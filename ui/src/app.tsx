/** App shell: decides login vs. app from /auth/me, owns the top bar, the routes and live updates. */
import { lazy, Suspense, useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { setUnauthorizedHandler } from "./api/client";
import { keys } from "./api/keys";
import { useLogout, useMe } from "./api/queries";
import { useLiveEvents, type LiveStatus } from "./api/use-live-events";
import { Icon } from "./design/icons";
import { ErrorState, Skeleton } from "./design/misc";
import { ThemeToggle } from "./design/theme";
import { MeContext } from "./lib/auth";
import { useAnomalyCounts } from "./api/anomalies";
import { AdminPage, isAdminTab } from "./pages/admin-page";
import { AnomaliesPage } from "./pages/anomalies-page";
import { DagListPage } from "./pages/dag-list-page";
import { DagPage } from "./pages/dag-page";
import { DatasetsPage } from "./pages/datasets-page";
import { DeadlinesPage } from "./pages/deadlines-page";
import { HomePage } from "./pages/home-page";
import { ImportErrorsPage } from "./pages/import-errors-page";
import { LoginPage } from "./pages/login-page";
import { NotificationsPage } from "./pages/notifications-page";
import { NotFoundPage } from "./pages/not-found-page";
import { SearchLauncher } from "./pages/search/search-launcher";
import { AuditPage } from "./pages/audit-page";
import { BackfillsPage } from "./pages/backfills-page";
import { PoolsPage } from "./pages/pools-page";
import { WorkersPage } from "./pages/workers-page";
import { Link, matchPath, navigate, useRouter } from "./router";
import type { Me } from "./api/types";

// The lineage page draws with React Flow (and d3), as the Graph tab does: loaded when opened, so
// the first load of every other page does not download and parse them (docs/benchmark.md, "UI load").
const LineagePage = lazy(() => import("./pages/lineage-page").then((m) => ({ default: m.LineagePage })));

export function App() {
  const me = useMe();
  const qc = useQueryClient();
  const { location } = useRouter();

  useEffect(() => {
    setUnauthorizedHandler(() => qc.setQueryData(keys.me, null));
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  const signedOut = me.data === null;
  useEffect(() => {
    if (signedOut && location.pathname !== "/login") {
      navigate(`/login?next=${encodeURIComponent(location.pathname + (location.search.size ? `?${location.search}` : ""))}`, { replace: true });
    } else if (me.data && location.pathname === "/login") {
      navigate(safeNext(location.search.get("next")), { replace: true });
    }
  }, [signedOut, me.data, location]);

  if (me.isPending) return <BootSkeleton />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Cannot reach the Baton server" />;
  if (!me.data) return <LoginPage />;
  return (
    <MeContext.Provider value={me.data}>
      <Shell me={me.data} />
    </MeContext.Provider>
  );
}

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

function Shell({ me }: { me: Me }) {
  const { location } = useRouter();
  const live = useLiveEvents(true);
  const path = location.pathname;
  const dag = matchPath("/dags/:dagId/:tab?", path);
  const admin = matchPath("/admin/:tab?", path);
  // Connections and variables: reading needs op (the API enforces it; the link just follows).
  const canAdmin = me.role === "op" || me.role === "admin";

  // The DAG list was at `/` before the home page: its old links (`/?tag=…`) go on to /dags.
  useEffect(() => {
    if (path === "/" && location.search.size > 0) navigate(`/dags?${location.search}`, { replace: true });
  }, [path, location.search]);

  let page: React.ReactNode;
  if (path === "/") page = <HomePage />;
  else if (path === "/dags") page = <DagListPage />;
  else if (path === "/import-errors") page = <ImportErrorsPage />;
  else if (path === "/datasets") page = <DatasetsPage />;
  else if (path === "/lineage")
    page = (
      <Suspense fallback={<Skeleton height={480} />}>
        <LineagePage />
      </Suspense>
    );
  else if (path === "/deadlines") page = <DeadlinesPage />;
  else if (path === "/anomalies") page = <AnomaliesPage />;
  else if (path === "/notifications") page = <NotificationsPage />;
  else if (path === "/workers") page = <WorkersPage />;
  else if (path === "/backfills") page = <BackfillsPage />;
  else if (path === "/pools") page = <PoolsPage />;
  // The audit trail: admins only (the API enforces it; the link just follows).
  else if (path === "/audit" && me.role === "admin") page = <AuditPage />;
  else if (admin && canAdmin && (admin.tab === undefined || isAdminTab(admin.tab)))
    page = <AdminPage tab={isAdminTab(admin.tab) ? admin.tab : "connections"} />;
  else if (dag?.dagId) page = <DagPage key={dag.dagId} dagId={dag.dagId} tab={dag.tab ?? "grid"} />;
  else page = <NotFoundPage missing={{ kind: "page", path }} />;

  return (
    <div className="app">
      <a href="#main" className="sr-only">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Baton home" aria-current={path === "/" ? "page" : undefined} data-testid="nav-home">
          <span className="brand-mark">
            <Icon.dag size={14} />
          </span>
          Baton
        </Link>
        <nav className="nav" aria-label="Main">
          <Link to="/dags" aria-current={path.startsWith("/dags") ? "page" : undefined}>
            DAGs
          </Link>
          <Link to="/datasets" aria-current={path === "/datasets" ? "page" : undefined}>
            Datasets
          </Link>
          <Link to="/lineage" aria-current={path === "/lineage" ? "page" : undefined} data-testid="nav-lineage">
            Lineage
          </Link>
          <Link to="/import-errors" aria-current={path === "/import-errors" ? "page" : undefined}>
            Import errors
          </Link>
          <Link to="/deadlines" aria-current={path === "/deadlines" ? "page" : undefined} data-testid="nav-deadlines">
            Deadlines
          </Link>
          <AnomaliesLink current={path === "/anomalies"} />
          <Link to="/notifications" aria-current={path === "/notifications" ? "page" : undefined} data-testid="nav-notifications">
            Notifications
          </Link>
          <Link to="/workers" aria-current={path === "/workers" ? "page" : undefined} data-testid="nav-workers">
            Workers
          </Link>
          <Link to="/backfills" aria-current={path === "/backfills" ? "page" : undefined} data-testid="nav-backfills">
            Backfills
          </Link>
          <Link to="/pools" aria-current={path === "/pools" ? "page" : undefined} data-testid="nav-pools">
            Pools
          </Link>
          {me.role === "admin" && (
            <Link to="/audit" aria-current={path === "/audit" ? "page" : undefined} data-testid="nav-audit">
              Audit
            </Link>
          )}
          {canAdmin && (
            <Link to="/admin/connections" aria-current={path.startsWith("/admin") ? "page" : undefined} data-testid="nav-admin">
              Admin
            </Link>
          )}
        </nav>
        <span className="spacer" />
        <SearchLauncher />
        <LiveIndicator status={live} />
        <ThemeToggle />
        <UserMenu me={me} />
      </header>
      <main id="main" className={`main${dag ? " main-wide" : ""}`} tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}

/** The Anomalies link, with a badge counting the last 7 days' anomalies. */
function AnomaliesLink({ current }: { current: boolean }) {
  const counts = useAnomalyCounts();
  const total = counts.data?.total ?? 0;
  return (
    <Link to="/anomalies" aria-current={current ? "page" : undefined} data-testid="nav-anomalies">
      Anomalies
      {total > 0 && (
        <>
          {" "}
          <span className="badge" title={`${total} in the last 7 days`} data-testid="anomalies-badge">
            {total}
          </span>
        </>
      )}
    </Link>
  );
}

function LiveIndicator({ status }: { status: LiveStatus }) {
  const text = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Offline";
  return (
    <span
      className="live"
      data-status={status}
      title={status === "live" ? "Receiving live updates" : "Live updates unavailable; data refreshes on focus"}
      data-testid="live-status"
    >
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function UserMenu({ me }: { me: Me }) {
  const logout = useLogout();
  return (
    <span className="user-chip">
      <Icon.user size={14} />
      <span>{me.username}</span>
      <span className="badge">{me.role}</span>
      {me.authRequired && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => logout.mutate()} data-testid="logout">
          <Icon.logout size={14} /> Sign out
        </button>
      )}
    </span>
  );
}

function BootSkeleton() {
  return (
    <div className="app" aria-busy="true">
      <header className="topbar">
        <Skeleton width={120} height={20} />
      </header>
      <div className="main">
        <Skeleton height={32} width={240} />
        <Skeleton height={300} />
      </div>
    </div>
  );
}
