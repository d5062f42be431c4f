import { useState } from 'preact/hooks';
import { ApiError, errorText, login } from '../api';
import type { Session } from '../types';

export function LoginPage(props: { onLoggedIn: (s: Session) => void; bootError: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(props.bootError);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onLoggedIn(await login(username, password));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !err.problem.detail) setError('Wrong username or password.');
      else setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <div class="login-wrap">
      <form class="card login-card" onSubmit={submit} data-testid="login-form">
        <div class="login-brand">
          <span class="logo" aria-hidden="true">◎</span> Switchboard
        </div>
        <p class="muted">Sign in to the contact center.</p>
        <label class="field">
          <span class="field-label">Username</span>
          <input
            name="username"
            autocomplete="username"
            data-testid="login-username"
            value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
            required
            autofocus
          />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            data-testid="login-password"
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        {error ? (
          <div class="banner banner-error" role="alert" data-testid="login-error">
            {error}
          </div>
        ) : null}
        <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
