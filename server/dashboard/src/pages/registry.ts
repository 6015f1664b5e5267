import { advocatesPage } from './AdvocatesPage';
import { communitiesPage } from './CommunitiesPage';
import { connectionPage } from './ConnectionPage';
import { customerPage } from './CustomerPage';
import { launchPage } from './LaunchPage';
import { livePage } from './LivePage';
import { overviewPage } from './OverviewPage';
import type { PageDefinition } from './page';
import { reviewQueuePage } from './ReviewQueuePage';

/**
 * Every page of the dashboard, in navigation order; the first one the role may see is the home page.
 * To add a page: write pages/<Name>Page.tsx exporting a PageDefinition, and add it to this list.
 */
export const PAGES: readonly PageDefinition[] = [overviewPage, advocatesPage, customerPage, connectionPage, communitiesPage, reviewQueuePage, launchPage, livePage];
