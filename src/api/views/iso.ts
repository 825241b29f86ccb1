/** Epoch ms → ISO 8601 UTC, null stays null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function durationMs(startedAt: number | null, endedAt: number | null): number | null {
  return startedAt === null || endedAt === null ? null : endedAt - startedAt;
}
