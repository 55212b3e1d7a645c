import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
Paved is where you find every service, start a new one on a golden path,
and read the docs of anything you depend on.

- **[Catalog](/catalog)**: every component, API, system and team. Filter by
  owner, kind, type or tag; each entity links to its docs, APIs and dependencies.
- **[Create](/create)**: start a new service from a golden-path template.
- **[Docs](/docs)**: TechDocs for every component, searchable from the bar above.
`;

const welcomeWidget = HomePageWidgetBlueprint.make({
  name: 'welcome',
  params: {
    name: 'Welcome',
    title: 'Welcome to Paved',
    description: 'Where to start in the portal',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [welcomeWidget],
});
