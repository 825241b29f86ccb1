/** The app: query client, providers and the shell, rendered into #root (loaded by main.tsx). */
import { StrictMode } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "./api/client";
import { RouterProvider } from "./router";
import { ToastProvider } from "./design/toast";
import { ConfirmProvider } from "./design/confirm";
import { App } from "./app";
import { takeFirstData } from "./boot/first-data";
import { seedFirstData } from "./api/seed-first-data";
import { firstPageFor } from "./boot/first-load";
import { loadPage } from "./boot/pages";
import "./design/tokens.css";
import "./design/base.css";
import "./design/components.css";
import "./pages/pages.css";
import "./design/first-view.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: true,
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

seedFirstData(queryClient, takeFirstData());

const app = (
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider>
        <ToastProvider>
          <ConfirmProvider>
            <App />
          </ConfirmProvider>
        </ToastProvider>
      </RouterProvider>
    </QueryClientProvider>
  </StrictMode>
);

/**
 * With the server's first view of the page (src/api/first-view/; docs/ui.md, "First view"): once
 * the page's module is loaded, the view is removed and the app rendered in one task, so no frame
 * shows neither (nor a skeleton between them). The page's module was preloaded (main.tsx).
 */
async function start(): Promise<void> {
  const root = createRoot(document.getElementById("root")!);
  const view = document.getElementById("first-view");
  const page = view ? firstPageFor(window.location.pathname) : null;
  if (!view || !page) return root.render(app);
  await loadPage(page).catch(() => undefined); // a failed load shows in the page's place when rendered
  view.remove();
  flushSync(() => root.render(app));
}

void start();
