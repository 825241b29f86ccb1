/** Opening the search palette from anywhere (a 404 page's button, the top bar): one window event. */
export const OPEN_SEARCH_EVENT = "baton:open-search";

/** Opens the palette, optionally with `text` already typed. */
export function openSearch(text = ""): void {
  window.dispatchEvent(new CustomEvent<{ text: string }>(OPEN_SEARCH_EVENT, { detail: { text } }));
}

/** "⌘K" on Apple keyboards, "Ctrl K" elsewhere. */
export function searchShortcutLabel(): string {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? "⌘K" : "Ctrl K";
}
