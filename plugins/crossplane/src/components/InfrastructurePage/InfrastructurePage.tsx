import { Route, Routes } from 'react-router-dom';
import { ApprovalsPage } from '../ApprovalsPage';
import { OfferingsOverview } from '../OfferingsOverview';
import { RequestFormPage } from '../RequestForm';
import { RequestPage } from '../RequestPage';
import {
  approvalsRouteRef,
  requestFormRouteRef,
  requestRouteRef,
} from '../../routes';

/**
 * The Infrastructure page and its sub-pages: offerings and the team's requests, an offering's
 * request form, one request, and the approvals inbox.
 */
export function InfrastructurePage() {
  return (
    <Routes>
      <Route path="/" element={<OfferingsOverview />} />
      <Route path={requestFormRouteRef.path} element={<RequestFormPage />} />
      <Route path={requestRouteRef.path} element={<RequestPage />} />
      <Route path={approvalsRouteRef.path} element={<ApprovalsPage />} />
    </Routes>
  );
}
