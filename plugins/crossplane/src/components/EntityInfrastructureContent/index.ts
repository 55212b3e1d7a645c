export { EntityInfrastructureContent } from './EntityInfrastructureContent';
