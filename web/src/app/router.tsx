import { createRootRoute, createRoute, createRouter, Outlet } from '@tanstack/react-router';
import { WEB_FEATURES } from '../features/index.ts';
import { LoginPage } from './login.tsx';
import { Shell, ShellNotFound } from './shell.tsx';

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: ShellNotFound });
const loginRoute = createRoute({ getParentRoute: () => rootRoute, path: '/login', component: LoginPage });
const shellRoute = createRoute({ getParentRoute: () => rootRoute, id: 'shell', component: Shell });

const featureRoutes = WEB_FEATURES.flatMap((f) => f.routes).map((r) =>
  createRoute({ getParentRoute: () => shellRoute, path: r.path, component: r.component }),
);

export const router = createRouter({
  routeTree: rootRoute.addChildren([loginRoute, shellRoute.addChildren(featureRoutes)]),
  defaultPreload: false,
  defaultNotFoundComponent: ShellNotFound,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
