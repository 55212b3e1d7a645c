import { Content } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { ReactNode } from 'react';
import { Link as RouterLink, Route, Routes } from 'react-router-dom';
import {
  campaignRouteRef,
  campaignsRouteRef,
  rootRouteRef,
} from '../../routes';
import { CampaignPage, CampaignsList } from '../Campaigns';
import { OrgOverview } from './OrgOverview';

function PageTabs(props: {
  current: 'overview' | 'campaigns';
  children: ReactNode;
}) {
  const rootRoute = useRouteRef(rootRouteRef);
  const campaignsRoute = useRouteRef(campaignsRouteRef);
  return (
    <Content>
      <Box mb={3}>
        <Tabs value={props.current} indicatorColor="primary">
          <Tab
            value="overview"
            label="Overview"
            component={RouterLink}
            to={rootRoute?.() ?? '.'}
          />
          <Tab
            value="campaigns"
            label="Campaigns"
            component={RouterLink}
            to={campaignsRoute?.() ?? 'campaigns'}
          />
        </Tabs>
      </Box>
      {props.children}
    </Content>
  );
}

/** The Scorecards page: the organisation's overview, the campaigns, and one campaign. */
export function ScorecardsPage() {
  return (
    <Routes>
      <Route
        path="/"
        element={
          <PageTabs current="overview">
            <OrgOverview />
          </PageTabs>
        }
      />
      <Route
        path={campaignsRouteRef.path}
        element={
          <PageTabs current="campaigns">
            <CampaignsList />
          </PageTabs>
        }
      />
      <Route
        path={campaignRouteRef.path}
        element={
          <PageTabs current="campaigns">
            <CampaignPage />
          </PageTabs>
        }
      />
    </Routes>
  );
}
