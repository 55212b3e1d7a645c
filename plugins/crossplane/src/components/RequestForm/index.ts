export { RequestFormPage } from './RequestFormPage';
