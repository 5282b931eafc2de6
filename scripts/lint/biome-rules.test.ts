import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const dirs: string[] = [];

/** A scratch tree with the project's own biome.json (git off) and the given files. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cvm-biome-'));
  dirs.push(dir);
  const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
  delete config['$schema'];
  config['vcs'] = { enabled: false };
  writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function biome(dir: string, command: 'lint' | 'format', paths = ['lambdas']) {
  const run = spawnSync(BIOME, [command, '--error-on-warnings', '--colors=off', ...paths], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Formatted as Biome would, so that only the import rule can object.
const multiLineSdkImport =
  "import {\n  DynamoDBClient,\n  GetItemCommand,\n} from '@aws-sdk/client-dynamodb';\n\nexport const clients = [DynamoDBClient, GetItemCommand];\n";

describe('the lint over the whole tree', () => {
  it('is part of npm run lint and of CI', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['lint']).toContain('biome check --error-on-warnings');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm run lint');
  });

  it('fails on a multi-line AWS SDK import in a domain file, and allows it in an adapter', () => {
    const dir = tree({
      'lambdas/domain/planted.ts': multiLineSdkImport,
      'lambdas/adapters/fine.ts': multiLineSdkImport,
    });
    const { status, output } = biome(dir, 'lint');
    expect(status).toBe(1);
    expect(output).toContain('lambdas/domain/planted.ts');
    expect(output).toContain('noRestrictedImports');
    expect(output).not.toContain('lambdas/adapters/fine.ts');
  });

  it('keeps use cases off adapters and the http edge, by alias or by relative path', () => {
    const dir = tree({
      'lambdas/app/by-alias.ts': "import { x } from '#adapters/dynamo/customer-repo.ts';\n\nexport const y = x;\n",
      'lambdas/app/by-path.ts': "import { x } from '../http/problems.ts';\n\nexport const y = x;\n",
      'lambdas/app/fine.ts': "import { x } from '#domain/profile.ts';\n\nexport const y = x;\n",
    });
    const { status, output } = biome(dir, 'lint');
    expect(status).toBe(1);
    expect(output).toContain('lambdas/app/by-alias.ts');
    expect(output).toContain('lambdas/app/by-path.ts');
    expect(output).not.toContain('lambdas/app/fine.ts');
  });

  it('keeps the shared edge below http and handlers, and above the domain only', () => {
    const importing = (from: string) => `import { y } from '${from}';\n\nexport const z = y;\n`;
    const dir = tree({
      'lambdas/domain/to-edge.ts': importing('#edge/logger.ts'),
      'lambdas/app/to-edge.ts': importing('../edge/events.ts'),
      'lambdas/edge/to-http.ts': importing('#http/problem.ts'),
      'lambdas/edge/to-app.ts': importing('../app/authorize.ts'),
      'lambdas/edge/fine.ts': importing('#domain/events.ts'),
      'lambdas/http/fine.ts': importing('#edge/logger.ts'),
      'lambdas/handlers/fine.ts': importing('#edge/events.ts'),
    });
    const { status, output } = biome(dir, 'lint');
    expect(status).toBe(1);
    for (const planted of [
      'lambdas/domain/to-edge.ts',
      'lambdas/app/to-edge.ts',
      'lambdas/edge/to-http.ts',
      'lambdas/edge/to-app.ts',
    ])
      expect(output).toContain(planted);
    for (const fine of ['lambdas/edge/fine.ts', 'lambdas/http/fine.ts', 'lambdas/handlers/fine.ts'])
      expect(output).not.toContain(fine);
  });

  it('opens only the stored-record shapes of the shared edge to adapters', () => {
    const importing = (from: string) => `import { y } from '${from}';\n\nexport const z = y;\n`;
    const dir = tree({
      'lambdas/adapters/dynamo/fine.ts': importing('#edge/records/audit-entry.ts'),
      'lambdas/adapters/dynamo/to-logger.ts': importing('#edge/logger.ts'),
      'lambdas/adapters/dynamo/to-deeper.ts': importing('#edge/records/more/audit-entry.ts'),
      'lambdas/adapters/dynamo/to-http.ts': importing('#http/schemas/audit.ts'),
      'lambdas/app/to-records.ts': importing('#edge/records/audit-entry.ts'),
    });
    const { status, output } = biome(dir, 'lint');
    expect(status).toBe(1);
    for (const planted of [
      'lambdas/adapters/dynamo/to-logger.ts',
      'lambdas/adapters/dynamo/to-deeper.ts',
      'lambdas/adapters/dynamo/to-http.ts',
      'lambdas/app/to-records.ts',
    ])
      expect(output).toContain(planted);
    expect(output).not.toContain('lambdas/adapters/dynamo/fine.ts');
  });

  it('keeps composition between the entry points and every layer it builds from', () => {
    const importing = (from: string) => `import { y } from '${from}';\n\nexport const z = y;\n`;
    const dir = tree({
      'lambdas/domain/to-composition.ts': importing('#composition/platform.ts'),
      'lambdas/app/to-composition.ts': importing('../composition/platform.ts'),
      'lambdas/adapters/to-composition.ts': importing('#composition/platform.ts'),
      'lambdas/http/to-composition.ts': importing('#composition/container-meter.ts'),
      'lambdas/edge/to-composition.ts': importing('../composition/platform-env.ts'),
      'lib/constructs/to-composition.ts': importing('#composition/platform-env.ts'),
      'lambdas/composition/to-handlers.ts': importing('../handlers/authorize-request.ts'),
      'lambdas/composition/fine.ts': importing('#adapters/dynamo/client.ts'),
      'lambdas/handlers/fine.ts': importing('#composition/platform.ts'),
    });
    const { status, output } = biome(dir, 'lint', ['lambdas', 'lib']);
    expect(status).toBe(1);
    for (const planted of [
      'lambdas/domain/to-composition.ts',
      'lambdas/app/to-composition.ts',
      'lambdas/adapters/to-composition.ts',
      'lambdas/http/to-composition.ts',
      'lambdas/edge/to-composition.ts',
      'lib/constructs/to-composition.ts',
      'lambdas/composition/to-handlers.ts',
    ])
      expect(output).toContain(planted);
    for (const fine of ['lambdas/composition/fine.ts', 'lambdas/handlers/fine.ts']) expect(output).not.toContain(fine);
  });

  it('keeps runtime code off scripts and tests', () => {
    const dir = tree({
      'lambdas/adapters/x.ts': "import { y } from '../../scripts/local/runtime.ts';\n\nexport const z = y;\n",
    });
    expect(biome(dir, 'lint').status).toBe(1);
  });

  it('keeps scripts, e2e and test-support in one direction: e2e -> scripts -> test-support', () => {
    const importing = (from: string) => `import { y } from '${from}';\n\nexport const z = y;\n`;
    const dir = tree({
      'scripts/bench/to-e2e.ts': importing('../../e2e/support/tenant-api.ts'),
      'lambdas/test-support/to-scripts.ts': importing('../../scripts/local/runtime.ts'),
      'lambdas/test-support/to-e2e.ts': importing('../../e2e/support/tenant-api.ts'),
      'e2e/fine-scripts.ts': importing('../scripts/local/npm-start.ts'),
      'e2e/fine-support.ts': importing('../lambdas/test-support/dynamo.ts'),
      'scripts/bench/fine.ts': importing('../../lambdas/test-support/dynamo-local.ts'),
    });
    const { status, output } = biome(dir, 'lint', ['scripts', 'lambdas', 'e2e']);
    expect(status).toBe(1);
    for (const planted of [
      'scripts/bench/to-e2e.ts',
      'lambdas/test-support/to-scripts.ts',
      'lambdas/test-support/to-e2e.ts',
    ])
      expect(output).toContain(planted);
    for (const fine of ['e2e/fine-scripts.ts', 'e2e/fine-support.ts', 'scripts/bench/fine.ts'])
      expect(output).not.toContain(fine);
  });

  it('fails on a badly formatted file and passes the same code formatted', () => {
    expect(biome(tree({ 'lambdas/domain/ugly.ts': 'export const x    =  {a:1}\n' }), 'format').status).toBe(1);
    expect(biome(tree({ 'lambdas/domain/tidy.ts': 'export const x = { a: 1 };\n' }), 'format').status).toBe(0);
  });
});
