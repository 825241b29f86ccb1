/** Sign-in form, shown when /auth/me answers 401. */
import { useState, type FormEvent } from "react";
import { useLogin } from "../api/queries";
import { Icon } from "../design/icons";
import { ThemeToggle } from "../design/theme";

export function LoginPage() {
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ username, password });
  };
  const err = login.error;
  return (
    <div className="login-wrap">
      <div style={{ position: "absolute", top: 12, right: 12 }}>
        <ThemeToggle />
      </div>
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <div className="brand" style={{ justifyContent: "center", marginBottom: 8 }}>
          <span className="brand-mark">
            <Icon.dag size={14} />
          </span>{" "}
          Baton
        </div>
        <h1 id="login-title" style={{ fontSize: "var(--text-xl)", textAlign: "center" }}>
          Sign in
        </h1>
        <p className="muted small" style={{ textAlign: "center" }}>
          Use your Baton account. An admin can create one with <code>baton users create</code>.
        </p>
        {err && (
          <div className="banner banner-danger" role="alert" data-testid="login-error">
            <Icon.warn /> {err.message === "" ? "Sign-in failed" : err.message}
          </div>
        )}
        <label className="field">
          <span className="field-label">Username</span>
          <input
            className="input"
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            data-testid="login-username"
          />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            className="input"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
        </label>
        <button
          type="submit"
          className="btn btn-primary"
          style={{ height: 36 }}
          disabled={login.isPending || !username || !password}
          data-testid="login-submit"
        >
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
