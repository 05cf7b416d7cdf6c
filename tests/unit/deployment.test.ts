import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeFileProblems } from '../../scripts/check-compose';
import { environmentVariables } from '../../src/core/config/environment';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const composeText = read('docker-compose.yml');
const compose = parse(composeText) as {
  services: Record<string, { image?: string; build?: { context: string; target?: string }; command?: unknown; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }> }>;
};
const appVariables = environmentVariables.map((variable) => variable.name);

/** Variables docker compose substitutes into docker-compose.yml: `${NAME}`, `${NAME:-default}`… */
function composeVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!))];
}

interface DockerInstruction {
  keyword: string;
  args: string;
}

/** Instructions by stage, continuation lines joined and comments dropped. */
function dockerfileStages(text: string): DockerInstruction[][] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: DockerInstruction[][] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe('.env.example', () => {
  const text = read('.env.example');
  const lines = text.split('\n');
  const variableLine = /^#?\s?([A-Z][A-Z0-9_]*)=/;

  it('lists every variable the app reads and those docker-compose.yml substitutes, and nothing else', () => {
    const listed = lines.flatMap((line) => variableLine.exec(line)?.[1] ?? []);
    expect(new Set(listed).size, 'a variable is listed twice').toBe(listed.length);
    expect([...listed].sort()).toEqual([...new Set([...appVariables, ...composeVariables(composeText)])].sort());
  });

  it('explains each variable in a comment above it', () => {
    const blocks = text.split(/\n\s*\n/).map((block) => block.split('\n'));
    for (const block of blocks.filter((b) => b.some((line) => variableLine.test(line)))) {
      const explanation = block.filter((line) => line.startsWith('#') && !variableLine.test(line));
      expect(explanation.length, block.join('\n')).toBeGreaterThan(0);
    }
  });
});

describe('docker-compose.yml', () => {
  it('is a valid Compose file', () => {
    expect(composeFileProblems(composeText)).toEqual([]);
  });

  it('runs the TimescaleDB release the tests run against (../shared/tools/timescaledb)', () => {
    const install = readFileSync(new URL('../../../shared/tools/timescaledb/install.sh', import.meta.url), 'utf8');
    const version = /^VERSION=(\S+)$/m.exec(install)?.[1];
    const postgres = /^PG_MAJOR=(\d+)$/m.exec(install)?.[1];
    expect(compose.services.timescaledb?.image).toBe(`timescale/timescaledb:${version}-pg${postgres}`);
  });

  it('runs the server built from the Dockerfile beside the database, installing nothing at start', () => {
    const server = compose.services.server!;
    expect(server.build).toEqual({ context: '.', target: 'runtime' });
    expect(server.command).toBeUndefined();
    expect(server.volumes?.some((mount) => mount.startsWith('.:'))).toBe(false);
    expect(server.depends_on).toEqual({ timescaledb: { condition: 'service_healthy' } });
    expect(server.environment?.METALYTICS_DATABASE_URL).toMatch(/@timescaledb:5432\//);
  });

  it('configures the server only with variables the app reads', () => {
    expect(Object.keys(compose.services.server!.environment ?? {}).filter((name) => !appVariables.includes(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const args = (keyword: string, stage = runtime) => stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

  it('builds in one stage and runs from another that has production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime[0]!.args).toMatch(/ AS runtime$/);
    const copied = args('COPY');
    expect(copied).not.toContain('. .');
    const nodeModules = copied.find((copy) => copy.includes('node_modules'));
    const source = /--from=(\S+)/.exec(nodeModules ?? '')?.[1];
    const sourceStage = stages.find((stage) => stage[0]!.args.endsWith(` AS ${source}`));
    expect(sourceStage, 'node_modules comes from a stage of this file').toBeDefined();
    expect(args('RUN', sourceStage).join('\n')).toMatch(/npm (prune|ci)\b[^\n]*--omit=dev/);
  });

  it('runs as a user other than root, with a health check on /healthz', () => {
    const users = args('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(args('HEALTHCHECK').join('\n')).toMatch(/\/healthz/);
    expect(args('ENTRYPOINT').join('\n')).toContain('bin/metalytics.js');
  });

  it('is configured by environment variables the app reads', () => {
    const names = args('ENV').flatMap((line) => [...line.matchAll(/(?:^|\s)([A-Z][A-Z0-9_]*)=/g)].map((match) => match[1]!));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !appVariables.includes(name))).toEqual([]);
  });

  it('sends neither local dependencies nor secrets into the build', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'out', '.env', '.env.*', '!.env.example', '.git']));
  });
});
