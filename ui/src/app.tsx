/** App shell: decides login vs. app from /auth/me, owns the top bar, the routes and live updates. */
import { lazy, Suspense, useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { dropEarlyCalls, setUnauthorizedHandler } from "./api/client";
import { keys } from "./api/keys";
import { useLogout, useMe } from "./api/queries";
import { useLiveEvents, type LiveStatus } from "./api/use-live-events";
import { Icon } from "./design/icons";
import { ErrorState, Skeleton } from "./design/misc";
import { ThemeToggle } from "./design/theme";
import { MeContext } from "./lib/auth";
import { useAnomalyCounts } from "./api/anomalies";
import { isAdminTab } from "./pages/admin/admin-tabs";
import { LoginPage } from "./pages/login-page";
import { NotFoundPage } from "./pages/not-found-page";
import { SearchLauncher } from "./pages/search/search-launcher";
import { pages } from "./boot/pages";
import { pageComponent } from "./lib/page-component";
import { Link, matchPath, navigate, useRouter } from "./router";
import type { Me } from "./api/types";

// Every page is loaded when first shown (boot/pages.ts): the first load of a page downloads and
// compiles only its own code; React Flow and d3 come with the Lineage page and the Graph tab only.
const HomePage = pageComponent("home", (m) => m.HomePage);
const DagPage = pageComponent("dag", (m) => m.DagPage);
const DagListPage = lazy(() => pages.dagList().then((m) => ({ default: m.DagListPage })));
const ImportErrorsPage = lazy(() => pages.importErrors().then((m) => ({ default: m.ImportErrorsPage })));
const DatasetsPage = lazy(() => pages.datasets().then((m) => ({ default: m.DatasetsPage })));
const LineagePage = lazy(() => pages.lineage().then((m) => ({ default: m.LineagePage })));
const DeadlinesPage = lazy(() => pages.deadlines().then((m) => ({ default: m.DeadlinesPage })));
const AnomaliesPage = lazy(() => pages.anomalies().then((m) => ({ default: m.AnomaliesPage })));
const NotificationsPage = lazy(() => pages.notifications().then((m) => ({ default: m.NotificationsPage })));
const WorkersPage = lazy(() => pages.workers().then((m) => ({ default: m.WorkersPage })));
const BackfillsPage = lazy(() => pages.backfills().then((m) => ({ default: m.BackfillsPage })));
const PoolsPage = lazy(() => pages.pools().then((m) => ({ default: m.PoolsPage })));
const AuditPage = lazy(() => pages.audit().then((m) => ({ default: m.AuditPage })));
const AdminPage = lazy(() => pages.admin().then((m) => ({ default: m.AdminPage })));

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
    // The page's calls started with /auth/me (main.tsx) were made without a session.
    if (signedOut) dropEarlyCalls();
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
  else if (path === "/lineage") page = <LineagePage />;
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
        <Suspense fallback={<Skeleton height={480} />}>{page}</Suspense>
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

/** Drawn while /auth/me is on its way: the same as the static shell in index.html. */
function BootSkeleton() {
  return (
    <div className="app" aria-busy="true">
      <header className="topbar">
        <span className="brand">
          <span className="brand-mark">
            <Icon.dag size={14} />
          </span>
          Baton
        </span>
      </header>
      <div className="main">
        <span className="skeleton boot-skeleton" aria-hidden="true" />
      </div>
    </div>
  );
}
