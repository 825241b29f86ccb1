/**
 * Pools (docs/ui.md#pools): each pool's slots — total, running, queued, open — as a bar and in
 * numbers, and the task instances holding them (linked to the task in its run); polled. Ops and
 * admins edit a pool's slots and description in place.
 */
import { useState, type FormEvent } from "react";
import { usePools, useUpdatePool, type Pool, type PoolHolder } from "../api/pools";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows, Tip } from "../design/misc";
import { StateBadge } from "../design/state";
import { useToast } from "../design/toast";
import { useDenied } from "../lib/auth";
import { fmtDate, fmtRelative } from "../lib/format";
import { Link } from "../router";
import "./backfills-page.css";

export function PoolsPage() {
  const query = usePools();
  const pools = query.data ?? [];
  return (
    <>
      <div className="page-head">
        <div className="stack" style={{ gap: 4 }}>
          <h1>Pools</h1>
          <p className="muted small" style={{ margin: 0 }}>
            A task with <code>pool: "name"</code> (and <code>poolSlots</code>) runs only while its pool has slots open; the others wait. Queued and running task
            instances hold slots.
          </p>
        </div>
      </div>
      <div className="card">
        {query.isPending ? (
          <SkeletonRows rows={3} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : pools.length === 0 ? (
          <EmptyState icon={<Icon.dag size={22} />} title="No pools" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="pools-table">
              <thead>
                <tr>
                  <th scope="col">Pool</th>
                  <th scope="col" className="num">
                    Slots
                  </th>
                  <th scope="col" className="num">
                    Running
                  </th>
                  <th scope="col" className="num">
                    Queued
                  </th>
                  <th scope="col" className="num">
                    Open
                  </th>
                  <th scope="col">Usage</th>
                  <th scope="col">Held by</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {pools.map((p) => (
                  <PoolRow key={p.name} p={p} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}

function PoolRow({ p }: { p: Pool }) {
  const [editing, setEditing] = useState(false);
  const denied = useDenied("op");
  const full = p.openSlots === 0 && p.slots > 0;
  return (
    <>
      <tr data-testid={`pool-row-${p.name}`}>
        <td>
          <span className="mono small" style={{ fontWeight: 600 }}>
            {p.name}
          </span>
          {p.description && (
            <div className="muted small" data-testid="pool-description">
              {p.description}
            </div>
          )}
        </td>
        <td className="num" data-testid="pool-slots">
          {p.slots}
        </td>
        <td className="num" data-testid="pool-running">
          {p.runningSlots}
        </td>
        <td className="num" data-testid="pool-queued">
          {p.queuedSlots}
        </td>
        <td className="num" data-testid="pool-open">
          {p.openSlots}
          {full && (
            <div className="small" style={{ color: "var(--warn-fg)" }}>
              full
            </div>
          )}
        </td>
        <td>
          <UsageBar p={p} />
        </td>
        <td>
          {p.holders.length === 0 ? (
            <span className="muted small">—</span>
          ) : (
            <ul className="pool-holders" data-testid="pool-holders">
              {p.holders.map((h) => (
                <li key={`${h.dagId}/${h.runId}/${h.taskId}/${h.mapIndex}`}>
                  <HolderLink h={h} />
                </li>
              ))}
              {p.holdersTotal > p.holders.length && <li className="muted small">and {p.holdersTotal - p.holders.length} more</li>}
            </ul>
          )}
        </td>
        <td>
          <Tip text={denied}>
            <button
              type="button"
              className="btn btn-sm"
              disabled={Boolean(denied)}
              onClick={() => setEditing((v) => !v)}
              aria-expanded={editing}
              data-testid="pool-edit"
            >
              {editing ? "Close" : "Edit"}
            </button>
          </Tip>
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={8}>
            <PoolEditor p={p} onDone={() => setEditing(false)} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Running and queued slots of the total, as a stacked bar and in words. */
function UsageBar({ p }: { p: Pool }) {
  const pct = (n: number) => (p.slots > 0 ? Math.min(100, (n / p.slots) * 100) : 0);
  return (
    <div className="progress" title={`${p.runningSlots} running + ${p.queuedSlots} queued of ${p.slots} slots; ${p.openSlots} open`} style={{ minWidth: 120 }}>
      <div
        className="progress-bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={p.slots}
        aria-valuenow={p.running}
        aria-label={`${p.running} of ${p.slots} slots used`}
      >
        <span className="seg-running" style={{ width: `${pct(p.runningSlots)}%` }} />
        <span className="seg-queued" style={{ width: `${pct(p.queuedSlots)}%` }} />
      </div>
      <span className="small muted">
        {p.running}/{p.slots} used
      </span>
    </div>
  );
}

function HolderLink({ h }: { h: PoolHolder }) {
  const to = `/dags/${encodeURIComponent(h.dagId)}/grid?run=${encodeURIComponent(h.runId)}&task=${encodeURIComponent(h.taskId)}${h.mapIndex >= 0 ? `&map=${h.mapIndex}` : ""}`;
  const name = `${h.dagId}.${h.taskId}${h.mapIndex >= 0 ? `[${h.mapIndex}]` : ""}`;
  return (
    <Link
      className="link small pool-holder"
      to={to}
      title={`${h.dagId} / ${h.runId} / ${h.taskId}, try ${h.tryNumber}: ${h.state} since ${fmtDate(h.since)}`}
      data-testid="pool-holder"
    >
      <StateBadge state={h.state} label={h.state} />
      <span className="mono">{name}</span>
      <span className="muted">
        {h.slots > 1 ? `${h.slots} slots · ` : ""}
        {fmtRelative(h.since)}
      </span>
    </Link>
  );
}

function PoolEditor({ p, onDone }: { p: Pool; onDone: () => void }) {
  const [slots, setSlots] = useState(String(p.slots));
  const [description, setDescription] = useState(p.description);
  const update = useUpdatePool();
  const toast = useToast();
  const n = Number(slots);
  const bad = slots.trim() === "" || !Number.isInteger(n) || n < 0 || n > 1_000_000;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (bad) return;
    update.mutate(
      { name: p.name, slots: n, description },
      {
        onSuccess: () => {
          toast(
            <>
              Pool <code>{p.name}</code> saved
            </>,
            "success",
          );
          onDone();
        },
        onError: (err) => toast(err.message, "error"),
      },
    );
  };
  return (
    <form className="pool-edit" onSubmit={submit} aria-label={`Edit pool ${p.name}`} data-testid="pool-editor">
      <label className="field">
        <span className="field-label">Slots</span>
        <input
          className="input"
          type="number"
          min={0}
          max={1_000_000}
          step={1}
          inputMode="numeric"
          value={slots}
          onChange={(e) => setSlots(e.target.value)}
          aria-invalid={bad}
          data-testid="pool-edit-slots"
          style={{ width: 120 }}
        />
        {bad && (
          <span className="field-error" role="alert">
            <Icon.warn size={12} /> a whole number from 0 to 1000000
          </span>
        )}
      </label>
      <label className="field" style={{ flex: 1, minWidth: 240 }}>
        <span className="field-label">Description</span>
        <input className="input" maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="pool-edit-description" />
      </label>
      <button type="submit" className="btn btn-primary" disabled={bad || update.isPending} data-testid="pool-save">
        {update.isPending ? "Saving…" : "Save"}
      </button>
      <button type="button" className="btn" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
