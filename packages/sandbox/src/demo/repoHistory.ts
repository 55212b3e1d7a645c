/*
 * The git history of a demo component's repository, so the portal's deployment timeline has
 * something to show: an initial commit, then changes to the `deploy/` folder (probes, limits,
 * settings) and releases that bump the image tag, by members of the owning team, spread over
 * the past weeks. Chosen per component from a hash of its name, so every start makes the same
 * history (only the dates move along with "now").
 */
import { createHash } from 'node:crypto';
import { DemoComponent, DemoOrganisation } from './organisation';

/** One commit to make: its changed files, message and author. */
export interface DemoCommit {
  message: string;
  files: Record<string, string>;
  author: { login: string; name: string; email: string; date: Date };
  /** True when it changes `deploy/`, the path Argo CD follows: a revision to deploy. */
  deploys: boolean;
}

/** What a component's `deploy/deployment.yaml` says; each change edits one setting. */
interface DeploySettings {
  version: string;
  memoryLimit: string;
  cpuLimit: string;
  readinessProbe: boolean;
  terminationGracePeriodSeconds?: number;
  env: Record<string, string>;
}

interface ConfigChange {
  message: string;
  /** Whether the change makes sense for the component (e.g. a JVM flag only for JVM services). */
  fits(component: DemoComponent): boolean;
  apply(settings: DeploySettings): DeploySettings;
}

const hasTag = (component: DemoComponent, ...tags: string[]) =>
  component.tags.some(tag => tags.includes(tag));

const CONFIG_CHANGES: ConfigChange[] = [
  {
    message:
      'Add readiness probe\n\nKeeps pods out of the Service until their dependencies answer, so rollouts stop dropping requests.',
    fits: () => true,
    apply: s => ({ ...s, readinessProbe: true }),
  },
  {
    message:
      'Raise memory limit to 512Mi\n\nPods were OOM-killed during the nightly peak.',
    fits: () => true,
    apply: s => ({ ...s, memoryLimit: '512Mi' }),
  },
  {
    message: 'Raise CPU limit to 1 core',
    fits: () => true,
    apply: s => ({ ...s, cpuLimit: '1' }),
  },
  {
    message:
      'Tune connection pool\n\nDB_POOL_MAX_SIZE 10 -> 20: p99 latency climbed while requests queued for a connection.',
    fits: c => hasTag(c, 'postgresql', 'timescaledb', 'redis', 'elasticsearch'),
    apply: s => ({ ...s, env: { ...s.env, DB_POOL_MAX_SIZE: '20' } }),
  },
  {
    message: 'Switch to structured JSON logs',
    fits: () => true,
    apply: s => ({ ...s, env: { ...s.env, LOG_FORMAT: 'json' } }),
  },
  {
    message: 'Allow 45s for graceful shutdown',
    fits: () => true,
    apply: s => ({ ...s, terminationGracePeriodSeconds: 45 }),
  },
  {
    message: "Size the JVM heap from the container's memory limit",
    fits: c => hasTag(c, 'java', 'kotlin'),
    apply: s => ({
      ...s,
      env: { ...s.env, JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' },
    }),
  },
];

const HOUR_MS = 3_600_000;

/** A small seeded generator (mulberry32): the same component always gets the same choices. */
function randomFor(seed: string): () => number {
  let state = createHash('sha1').update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `deploy/` folder Argo CD syncs: a kustomization of a Deployment and a Service. */
function deployFiles(
  org: string,
  component: DemoComponent,
  settings: DeploySettings,
): Record<string, string> {
  const name = component.name;
  const labels = `{ app: ${name}, backstage.io/kubernetes-id: ${name} }`;
  const env = Object.entries(settings.env);
  return {
    'deploy/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [deployment.yaml, service.yaml]',
      '',
    ].join('\n'),
    'deploy/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      `  labels: ${labels}`,
      'spec:',
      `  selector: { matchLabels: { app: ${name} } }`,
      '  template:',
      `    metadata: { labels: ${labels} }`,
      '    spec:',
      ...(settings.terminationGracePeriodSeconds
        ? [
            `      terminationGracePeriodSeconds: ${settings.terminationGracePeriodSeconds}`,
          ]
        : []),
      '      containers:',
      `        - name: ${name}`,
      `          image: ghcr.io/${org}/${name}:${settings.version}`,
      '          ports: [{ name: http, containerPort: 8080 }]',
      ...(env.length
        ? [
            '          env:',
            ...env.map(
              ([key, value]) =>
                `            - { name: ${key}, value: ${JSON.stringify(
                  value,
                )} }`,
            ),
          ]
        : []),
      ...(settings.readinessProbe
        ? [
            '          readinessProbe:',
            '            httpGet: { path: /healthz/ready, port: http }',
            '            periodSeconds: 10',
          ]
        : []),
      '          resources:',
      '            requests: { cpu: 100m, memory: 128Mi }',
      `            limits: { cpu: ${settings.cpuLimit}, memory: ${settings.memoryLimit} }`,
      '',
    ].join('\n'),
    'deploy/service.yaml': [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${name}`,
      `  labels: ${labels}`,
      'spec:',
      `  selector: { app: ${name} }`,
      '  ports: [{ name: http, port: 80, targetPort: http }]',
      '',
    ].join('\n'),
  };
}

function nextVersion(version: string, random: () => number): string {
  const [major, minor, patch] = version.split('.').map(Number);
  return random() < 0.25
    ? `${major}.${minor + 1}.0`
    : `${major}.${minor}.${patch + 1}`;
}

/** Who commits to a component: its owning team's members with an email, else anyone with one. */
function committers(demo: DemoOrganisation, component: DemoComponent) {
  const withEmail = demo.users.filter(
    (u): u is typeof u & { email: string } => Boolean(u.email),
  );
  const team = withEmail.filter(u => u.teams.includes(component.owner));
  return team.length ? team : withEmail;
}

/**
 * The commits of a component's repository, oldest first. The first holds `baseFiles` (and, for
 * a deployed component, its `deploy/` folder); a deployed component then gets two to four
 * changes to `deploy/`, the last a release, and sometimes a README change in between that
 * Argo CD has no reason to deploy. Authors take turns among the owning team; dates run from
 * a few weeks before `now` to a few hours before it.
 */
export function repoHistory(
  demo: DemoOrganisation,
  component: DemoComponent,
  baseFiles: Record<string, string>,
  now: Date,
): DemoCommit[] {
  const random = randomFor(`${demo.org}/${component.name}`);
  const people = committers(demo, component);
  const firstAuthor = Math.floor(random() * people.length);
  const deployed = Boolean(component.argoAppName);

  const steps: Array<Omit<DemoCommit, 'author'>> = [];
  let settings: DeploySettings = {
    version: `1.${Math.floor(random() * 8)}.${Math.floor(random() * 4)}`,
    memoryLimit: '256Mi',
    cpuLimit: '500m',
    readinessProbe: false,
    env: { LOG_FORMAT: 'text' },
  };
  steps.push({
    message:
      component.type === 'service' ? 'Initial service skeleton' : 'Initial import',
    files: {
      ...baseFiles,
      ...(deployed ? deployFiles(demo.org, component, settings) : {}),
    },
    deploys: deployed,
  });

  const readmeChange = (): Omit<DemoCommit, 'author'> => ({
    message: 'Document local development in the README',
    files: {
      'README.md': `${baseFiles['README.md'] ?? ''}\n## Local development\n\nRun \`make run\` to start it against the shared dev dependencies and \`make test\` before pushing.\n`,
    },
    deploys: false,
  });

  if (deployed) {
    const changes = CONFIG_CHANGES.filter(c => c.fits(component));
    const count = 2 + Math.floor(random() * 3);
    const readmeAt = random() < 0.5 ? Math.floor(random() * count) : -1;
    for (let i = 0; i < count; i++) {
      if (i === readmeAt) {
        steps.push(readmeChange());
      }
      // The newest change is always a release; earlier ones are releases now and then.
      let message: string;
      if (i === count - 1 || random() < 0.3 || changes.length === 0) {
        settings = {
          ...settings,
          version: nextVersion(settings.version, random),
        };
        message = `Release ${settings.version}\n\nImage ghcr.io/${demo.org}/${component.name}:${settings.version}.`;
      } else {
        const change = changes.splice(
          Math.floor(random() * changes.length),
          1,
        )[0];
        settings = change.apply(settings);
        message = change.message;
      }
      steps.push({
        message,
        files: deployFiles(demo.org, component, settings),
        deploys: true,
      });
    }
  } else if (random() < 0.5) {
    steps.push(readmeChange());
  }

  // Dates backwards from a few hours ago, half a day to four days apart.
  let at = now.getTime() - (2 + random() * 20) * HOUR_MS;
  const dates: Date[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    dates[i] = new Date(Math.floor(at / 1000) * 1000);
    at -= (12 + random() * 84) * HOUR_MS;
  }
  return steps.map((step, i) => {
    const person = people[(firstAuthor + i) % people.length];
    return {
      ...step,
      author: {
        login: person.login,
        name: person.name,
        email: person.email,
        date: dates[i],
      },
    };
  });
}
