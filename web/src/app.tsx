import { useEffect, useState } from 'preact/hooks';
import { currentSession, errorText, logout, setUnauthenticatedHandler } from './api';
import { navigate, useRoute } from './hooks';
import { homeFor, mayVisit, navFor } from './logic/nav';
import type { Session } from './types';
import { LoginPage } from './pages/Login';
import { AgentDesktop } from './pages/AgentDesktop';
import { Wallboard } from './pages/Wallboard';
import { ReportsPage } from './pages/Reports';
import { RtaPage } from './pages/Rta';
import { AlertRulesPage } from './pages/AlertRules';
import { QueuesPage } from './pages/admin/Queues';
import { SkillsPage } from './pages/admin/Skills';
import { ProfilesPage } from './pages/admin/Profiles';
import { AgentsPage } from './pages/admin/Agents';
import { UsersPage } from './pages/admin/Users';
import { CodesPage } from './pages/admin/Codes';
import { ForecastPage } from './pages/Forecast';
import { StaffingPage } from './pages/Staffing';
import { SchedulesPage } from './pages/Schedules';
import { MySchedulePage } from './pages/MySchedule';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    setUnauthenticatedHandler(() => setSession(null));
    currentSession()
      .then((s) => setSession(s))
      .catch((e) => {
        setBootError(errorText(e));
        setSession(null);
      });
    return () => setUnauthenticatedHandler(null);
  }, []);

  const user = session?.user ?? null;
  const hasAgent = user?.agent_id !== null && user?.agent_id !== undefined;

  useEffect(() => {
    if (session === undefined) return;
    if (!user) {
      if (route !== '/login') navigate('/login');
    } else if (!mayVisit(user.role, hasAgent, route)) {
      navigate(homeFor(user.role, hasAgent));
    }
  }, [session, route]);

  if (session === undefined) return <div class="boot">Loading…</div>;

  if (!user) {
    return (
      <LoginPage
        bootError={bootError}
        onLoggedIn={(s) => {
          setBootError(null);
          setSession(s);
          navigate(homeFor(s.user.role, s.user.agent_id !== null && s.user.agent_id !== undefined));
        }}
      />
    );
  }

  const nav = navFor(user.role, hasAgent);
  const signOut = async () => {
    try {
      await logout();
    } catch {
      // the session is gone either way
    }
    setSession(null);
    navigate('/login');
  };

  let page = null;
  if (mayVisit(user.role, hasAgent, route)) {
    switch (route) {
      case '/desktop':
        page = <AgentDesktop user={user} />;
        break;
      case '/wallboard':
        page = <Wallboard user={user} />;
        break;
      case '/reports':
        page = <ReportsPage />;
        break;
      case '/rta':
        page = <RtaPage />;
        break;
      case '/alerts':
        page = <AlertRulesPage />;
        break;
      case '/admin/queues':
        page = <QueuesPage />;
        break;
      case '/admin/skills':
        page = <SkillsPage />;
        break;
      case '/admin/profiles':
        page = <ProfilesPage />;
        break;
      case '/admin/agents':
        page = <AgentsPage />;
        break;
      case '/admin/users':
        page = <UsersPage />;
        break;
      case '/admin/codes':
        page = <CodesPage />;
        break;
      case '/wfm/forecast':
        page = <ForecastPage />;
        break;
      case '/wfm/staffing':
        page = <StaffingPage />;
        break;
      case '/wfm/schedules':
        page = <SchedulesPage user={user} />;
        break;
      case '/my-schedule':
        page = <MySchedulePage />;
        break;
    }
  }

  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">◎</span> Switchboard
        </div>
        <nav class="nav" data-testid="nav">
          {nav.map((n) => (
            <a href={`#${n.path}`} class={route === n.path ? 'active' : ''} data-testid={n.testid}>
              {n.label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span data-testid="current-user">{user.display_name || user.username}</span>
          <span class="badge badge-role" data-testid="current-role">
            {user.role}
          </span>
          <button type="button" class="btn btn-ghost" data-testid="logout" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main class="content">{page}</main>
    </div>
  );
}
