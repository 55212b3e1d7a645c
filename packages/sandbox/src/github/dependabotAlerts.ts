/*
 * Dependabot alerts of a repository, as `GET /repos/{o}/{r}/dependabot/alerts`
 * lists them. Seeders set a repository's alerts (or turn alerts off, which
 * GitHub answers with a 403); nothing raises alerts by itself.
 */
import { ApiError } from './errors';
import { GitHubModel, Repository, timestamp } from './model';
import * as render from './render';
import { Route, ok, route } from './route';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** One alert as a seeder describes it; the rest of GitHub's fields are derived. */
export interface DependabotAlertSeed {
  ecosystem: string;
  package: string;
  manifestPath: string;
  severity: AlertSeverity;
  summary: string;
  /** e.g. `GHSA-xxxx-xxxx-xxxx`; derived from the package when absent. */
  ghsaId?: string;
  cveId?: string;
  vulnerableVersionRange: string;
  firstPatchedVersion?: string;
  /** Defaults to `open`. */
  state?: 'open' | 'fixed' | 'dismissed';
}

interface RepoAlerts {
  enabled: boolean;
  alerts: Array<DependabotAlertSeed & { number: number; createdAt: string }>;
}

const STATES = ['auto_dismissed', 'dismissed', 'fixed', 'open'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** Alerts per repository; a repository created again starts without alerts. */
export class DependabotAlerts {
  private readonly byRepo = new WeakMap<Repository, RepoAlerts>();

  constructor(
    private readonly model: GitHubModel,
    private readonly urls: render.Urls,
  ) {}

  /** Replaces the repository's alerts; `disabled` turns Dependabot alerts off. */
  set(owner: string, name: string, alerts: DependabotAlertSeed[] | 'disabled') {
    const repo = this.model.repo(owner, name);
    const createdAt = timestamp();
    this.byRepo.set(
      repo,
      alerts === 'disabled'
        ? { enabled: false, alerts: [] }
        : {
            enabled: true,
            alerts: alerts.map((alert, i) => ({
              ...alert,
              number: i + 1,
              createdAt,
            })),
          },
    );
  }

  routes(): Route[] {
    return [
      route(
        'GET',
        '/repos/:owner/:repo/dependabot/alerts',
        'dependabot/alerts#list-dependabot-alerts-for-a-repository',
        async ctx => {
          const repo = this.model.repo(ctx.params.owner, ctx.params.repo);
          const { enabled, alerts } = this.byRepo.get(repo) ?? {
            enabled: true,
            alerts: [],
          };
          if (!enabled) {
            throw new ApiError(
              403,
              'Dependabot alerts are disabled for this repository.',
            );
          }
          const states = listParam(ctx.query.get('state'), STATES, 'state');
          const severities = listParam(
            ctx.query.get('severity'),
            SEVERITIES,
            'severity',
          );
          const perPage = Math.min(
            Math.max(Number(ctx.query.get('per_page')) || 30, 1),
            100,
          );
          const matching = alerts
            .filter(a => !states || states.includes(a.state ?? 'open'))
            .filter(a => !severities || severities.includes(a.severity))
            // Newest first, GitHub's default order.
            .sort((a, b) => b.number - a.number)
            .slice(0, perPage);
          return ok(matching.map(alert => this.toJson(repo, alert)));
        },
      ),
    ];
  }

  private toJson(repo: Repository, alert: RepoAlerts['alerts'][number]) {
    const pkg = { ecosystem: alert.ecosystem, name: alert.package };
    const vulnerability = {
      package: pkg,
      severity: alert.severity,
      vulnerable_version_range: alert.vulnerableVersionRange,
      first_patched_version: alert.firstPatchedVersion
        ? { identifier: alert.firstPatchedVersion }
        : null,
    };
    const ghsaId =
      alert.ghsaId ??
      `GHSA-${render
        .nodeId('a', `${alert.ecosystem}/${alert.package}`)
        .slice(2, 6)
        .toLowerCase()}-pavd-demo`;
    const state = alert.state ?? 'open';
    const path = `${repo.owner.login}/${repo.name}`;
    return {
      number: alert.number,
      state,
      dependency: {
        package: pkg,
        manifest_path: alert.manifestPath,
        scope: 'runtime',
        relationship: 'direct',
      },
      security_advisory: {
        ghsa_id: ghsaId,
        cve_id: alert.cveId ?? null,
        summary: alert.summary,
        description: alert.summary,
        vulnerabilities: [vulnerability],
        severity: alert.severity,
        cvss: { score: 0, vector_string: null },
        cwes: [],
        identifiers: [
          { type: 'GHSA', value: ghsaId },
          ...(alert.cveId ? [{ type: 'CVE', value: alert.cveId }] : []),
        ],
        references: [{ url: `https://github.com/advisories/${ghsaId}` }],
        published_at: alert.createdAt,
        updated_at: alert.createdAt,
        withdrawn_at: null,
      },
      security_vulnerability: vulnerability,
      url: `${this.urls.api}/repos/${path}/dependabot/alerts/${alert.number}`,
      html_url: `${this.urls.web}/${path}/security/dependabot/${alert.number}`,
      created_at: alert.createdAt,
      updated_at: alert.createdAt,
      dismissed_at: state === 'dismissed' ? alert.createdAt : null,
      dismissed_by: null,
      dismissed_reason: state === 'dismissed' ? 'tolerable_risk' : null,
      dismissed_comment: null,
      fixed_at: state === 'fixed' ? alert.createdAt : null,
      auto_dismissed_at: null,
    };
  }
}

/** A comma-separated filter such as `state=open,fixed`; GitHub answers an unknown value 400. */
function listParam(
  value: string | null,
  allowed: string[],
  name: string,
): string[] | undefined {
  if (!value) return undefined;
  const values = value.split(',').map(v => v.trim());
  const bad = values.filter(v => !allowed.includes(v));
  if (bad.length > 0) {
    throw new ApiError(
      400,
      `Invalid ${name} value(s): ${bad.join(', ')}. Allowed: ${allowed.join(
        ', ',
      )}`,
    );
  }
  return values;
}
