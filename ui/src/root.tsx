/** The app: query client, providers and the shell, rendered into #root (loaded by main.tsx). */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "./api/client";
import { RouterProvider } from "./router";
import { ToastProvider } from "./design/toast";
import { ConfirmProvider } from "./design/confirm";
import { App } from "./app";
import { takeFirstData } from "./boot/first-data";
import { seedFirstData } from "./api/seed-first-data";
import "./design/tokens.css";
import "./design/base.css";
import "./design/components.css";
import "./pages/pages.css";

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

createRoot(document.getElementById("root")!).render(
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
  </StrictMode>,
);
