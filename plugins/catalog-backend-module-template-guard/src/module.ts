import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { TemplateSkeletonGuard } from './TemplateSkeletonGuard';

/**
 * Adds {@link TemplateSkeletonGuard} to the catalog: a template whose skeleton escapes gets a
 * processing error instead of being stored.
 *
 * @public
 */
export const catalogModuleTemplateGuard = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'template-guard',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new TemplateSkeletonGuard());
      },
    });
  },
});
