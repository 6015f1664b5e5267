import type { ComponentType } from 'react';
import type { Role } from '../app/roles';
import type { Route } from '../app/router';

export interface PageProps {
  route: Route;
  /** The signed-in key's role: pages leave out what it may not read (emails for MARKETER and COMMUNITY). */
  role: Role;
}

/** One page of the dashboard: a file under pages/ exports one of these, and registry.ts lists it. */
export interface PageDefinition {
  /** The first path segment of its route: `#/<path>/…`. */
  path: string;
  /** Its name in the navigation and its heading. */
  title: string;
  /** The roles that see it; the others get neither the link nor the page. */
  roles: readonly Role[];
  Component: ComponentType<PageProps>;
}
