import { connectionPage } from './ConnectionPage';
import { customerPage } from './CustomerPage';
import { overviewPage } from './OverviewPage';
import type { PageDefinition } from './page';

/**
 * Every page of the dashboard, in navigation order; the first one the role may see is the home page.
 * To add a page: write pages/<Name>Page.tsx exporting a PageDefinition, and add it to this list. Next to come,
 * as their queries land: Advocates (issue 10), Communities and Review queue (issue 11), Live (issue 12).
 */
export const PAGES: readonly PageDefinition[] = [overviewPage, customerPage, connectionPage];
