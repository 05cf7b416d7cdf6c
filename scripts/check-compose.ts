/**
 * Validates docker-compose.yml for .ci/run: with `docker compose config` where the Docker CLI has
 * its compose plugin, otherwise against the schema below (the Compose Specification's service
 * and top-level keys, with the shapes of those this project uses), so a typo or a wrong shape
 * fails the gate on machines without Docker too.
 *
 *   npx tsx scripts/check-compose.ts [file]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Go durations as Compose takes them: 10s, 1m30s, 500ms. */
const duration = z.string().regex(/^(\d+(\.\d+)?(us|ms|s|m|h))+$/, 'a duration such as 10s or 1m30s');
const stringOrList = z.union([z.string(), z.array(z.string())]);
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** `KEY: value` or `- KEY=value`. */
const keyValues = z.union([z.record(z.string(), scalar), z.array(z.string().regex(/^[^=\s]+(=.*)?$/, 'KEY=value'))]);
/**
 * An object of the given keys, plus `x-` extension keys as Compose allows; any other key is an
 * error, so a misspelt key fails instead of being ignored.
 */
function composeObject<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine((value, issues) => {
      for (const key of Object.keys(value)) {
        if (!(key in shape) && !key.startsWith('x-')) issues.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a key of ${what}` });
      }
    });
}

const build = z.union([
  z.string(),
  composeObject(
    {
      context: z.string().optional(),
      dockerfile: z.string().optional(),
      dockerfile_inline: z.string().optional(),
      target: z.string().optional(),
      args: keyValues.optional(),
      ssh: z.unknown().optional(),
      cache_from: z.array(z.string()).optional(),
      cache_to: z.array(z.string()).optional(),
      additional_contexts: keyValues.optional(),
      network: z.string().optional(),
      no_cache: z.boolean().optional(),
      pull: z.boolean().optional(),
      labels: keyValues.optional(),
      platforms: z.array(z.string()).optional(),
      secrets: z.array(z.unknown()).optional(),
      tags: z.array(z.string()).optional(),
      shm_size: z.union([z.string(), z.number()]).optional(),
      extra_hosts: z.unknown().optional(),
      isolation: z.string().optional(),
      privileged: z.boolean().optional(),
      ulimits: z.unknown().optional(),
      entitlements: z.array(z.string()).optional(),
      provenance: z.union([z.string(), z.boolean()]).optional(),
      sbom: z.union([z.string(), z.boolean()]).optional(),
    },
    'a build',
  ),
]);

const port = z.union([
  z.number().int(),
  z.string().regex(/^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/, 'HOST_IP:HOST_PORT:CONTAINER_PORT[/protocol]'),
  z
    .object({
      name: z.string().optional(),
      target: z.number().int(),
      published: z.union([z.string(), z.number().int()]).optional(),
      host_ip: z.string().optional(),
      protocol: z.enum(['tcp', 'udp', 'sctp']).optional(),
      app_protocol: z.string().optional(),
      mode: z.enum(['host', 'ingress']).optional(),
    })
    .strict(),
]);

const volumeMount = z.union([
  z.string().regex(/^[^:]+:[^:]+(:(ro|rw|z|Z|cached|delegated|consistent|nocopy)(,(ro|rw|z|Z|cached|delegated|consistent|nocopy))*)?$/, 'SOURCE:TARGET[:ro]'),
  z
    .object({
      type: z.enum(['bind', 'volume', 'tmpfs', 'image', 'npipe', 'cluster']),
      source: z.string().optional(),
      target: z.string(),
      read_only: z.boolean().optional(),
      consistency: z.string().optional(),
      bind: z.record(z.string(), z.unknown()).optional(),
      volume: z.record(z.string(), z.unknown()).optional(),
      tmpfs: z.record(z.string(), z.unknown()).optional(),
      image: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

const healthcheck = z
  .object({
    test: z.union([z.string(), z.array(z.string()).min(1).refine((test) => ['NONE', 'CMD', 'CMD-SHELL'].includes(test[0]!), 'starts with NONE, CMD or CMD-SHELL')]),
    interval: duration.optional(),
    timeout: duration.optional(),
    start_period: duration.optional(),
    start_interval: duration.optional(),
    retries: z.number().int().min(0).optional(),
    disable: z.boolean().optional(),
  })
  .strict();

const dependsOn = z.union([
  z.array(z.string()),
  z.record(
    z.string(),
    z
      .object({
        condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']),
        restart: z.boolean().optional(),
        required: z.boolean().optional(),
      })
      .strict(),
  ),
]);

const envFile = z.union([
  z.string(),
  z.array(z.union([z.string(), z.object({ path: z.string(), required: z.boolean().optional(), format: z.string().optional() }).strict()])),
]);

/** Keys of a service in the Compose Specification that this project does not use: accepted as they come. */
const otherServiceKeys = [
  'annotations', 'attach', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'configs', 'container_name',
  'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_period', 'cpu_quota', 'cpu_rt_runtime', 'cpu_rt_period', 'cpus', 'cpuset',
  'credential_spec', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname',
  'expose', 'extends', 'external_links', 'extra_hosts', 'gpus', 'group_add', 'hostname', 'init', 'ipc', 'isolation',
  'labels', 'label_file', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness',
  'memswap_limit', 'network_mode', 'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform',
  'post_start', 'pre_stop', 'privileged', 'provider', 'pull_policy', 'read_only', 'runtime', 'scale', 'secrets', 'security_opt',
  'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits',
  'use_api_socket', 'userns_mode', 'uts', 'volumes_from',
] as const;

const service = composeObject(
  {
    image: z.string().optional(),
    build: build.optional(),
    command: stringOrList.optional(),
    entrypoint: stringOrList.optional(),
    environment: keyValues.optional(),
    env_file: envFile.optional(),
    ports: z.array(port).optional(),
    volumes: z.array(volumeMount).optional(),
    healthcheck: healthcheck.optional(),
    depends_on: dependsOn.optional(),
    profiles: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)).optional(),
    restart: z.string().regex(/^(no|always|unless-stopped|on-failure(:\d+)?)$/, 'no, always, unless-stopped or on-failure[:N]').optional(),
    user: z.string().optional(),
    working_dir: z.string().optional(),
    ...Object.fromEntries(otherServiceKeys.map((key) => [key, z.unknown().optional()])),
  },
  'a service',
).refine((s) => s.image !== undefined || s.build !== undefined, 'a service needs `image` or `build`');

const namedResource = z.union([z.null(), z.record(z.string(), z.unknown())]);

const composeFileSchema = composeObject(
  {
    name: z.string().optional(),
    /** Obsolete, still accepted (and ignored) by docker compose. */
    version: z.string().optional(),
    include: z.array(z.unknown()).optional(),
    services: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), service),
    volumes: z.record(z.string(), namedResource).optional(),
    networks: z.record(z.string(), namedResource).optional(),
    configs: z.record(z.string(), namedResource).optional(),
    secrets: z.record(z.string(), namedResource).optional(),
    models: z.record(z.string(), namedResource).optional(),
  },
  'a Compose file',
).superRefine((file, issues) => {
    const services = Object.keys(file.services);
    const volumes = Object.keys(file.volumes ?? {});
    for (const [name, definition] of Object.entries(file.services)) {
      const dependencies = Array.isArray(definition.depends_on) ? definition.depends_on : Object.keys(definition.depends_on ?? {});
      for (const dependency of dependencies.filter((d) => !services.includes(d))) {
        issues.addIssue({ code: 'custom', path: ['services', name, 'depends_on'], message: `depends on "${dependency}", which is not a service` });
      }
      for (const mount of definition.volumes ?? []) {
        const source = typeof mount === 'string' ? mount.split(':')[0]! : mount.type === 'volume' ? mount.source : undefined;
        const named = source !== undefined && !/^[./~]/.test(source) && !source.startsWith('$');
        if (named && !volumes.includes(source)) {
          issues.addIssue({ code: 'custom', path: ['services', name, 'volumes'], message: `mounts the volume "${source}", which the top-level volumes do not declare` });
        }
      }
    }
  });

/** What is wrong with a Compose file's text, as readable lines; empty when nothing is. */
export function composeFileProblems(text: string): string[] {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) return document.errors.map((error) => error.message);
  const parsed = composeFileSchema.safeParse(document.toJS({ maxAliasCount: 100 }));
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
}

function main(): number {
  const file = path.resolve(process.argv[2] ?? path.join(root, 'docker-compose.yml'));
  const plugin = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  if (plugin.status === 0) {
    console.log(`docker compose config --quiet -f ${path.relative(root, file)}`);
    return spawnSync('docker', ['compose', '-f', file, 'config', '--quiet'], { stdio: 'inherit', cwd: path.dirname(file) }).status ?? 1;
  }
  const problems = composeFileProblems(readFileSync(file, 'utf8'));
  for (const problem of problems) console.error(`${path.relative(root, file)}: ${problem}`);
  console.log(
    `${path.relative(root, file)}: ${problems.length === 0 ? 'valid' : `${problems.length} problem(s)`} against the Compose schema ` +
      '(no `docker compose` here to run `docker compose config`)',
  );
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
