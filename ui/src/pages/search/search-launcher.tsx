/**
 * The top bar's search button and the ⌘K / Ctrl+K shortcut (anywhere, even in a text box);
 * both open the {@link SearchPalette}, as does {@link openSearch} from other pages.
 */
import { useEffect, useState } from "react";
import { Icon } from "../../design/icons";
import { OPEN_SEARCH_EVENT, searchShortcutLabel } from "./open-search";
import { SearchPalette } from "./search-palette";
import "./search.css";

export function SearchLauncher() {
  const [open, setOpen] = useState<{ text: string } | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        // Not over another dialog (a trigger form half filled in stays as it is).
        if (document.querySelector('[role=dialog]:not([data-testid="search-dialog"]), [role=alertdialog]')) return;
        setOpen((o) => (o ? null : { text: "" }));
      }
    };
    const onOpen = (e: Event) => setOpen({ text: (e as CustomEvent<{ text?: string }>).detail?.text ?? "" });
    window.addEventListener("keydown", onKey);
    window.addEventListener(OPEN_SEARCH_EVENT, onOpen);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(OPEN_SEARCH_EVENT, onOpen);
    };
  }, []);

  const shortcut = searchShortcutLabel();
  return (
    <>
      <button
        type="button"
        className="btn search-launch"
        onClick={() => setOpen({ text: "" })}
        aria-label="Search"
        aria-haspopup="dialog"
        aria-keyshortcuts="Control+K Meta+K"
        title={`Search (${shortcut})`}
        data-testid="search-button"
      >
        <Icon.search size={14} />
        <span className="search-launch-text">Search…</span>
        <kbd aria-hidden="true">{shortcut}</kbd>
      </button>
      {open && <SearchPalette initialText={open.text} onClose={() => setOpen(null)} />}
    </>
  );
}
