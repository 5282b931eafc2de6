import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decisioningSettingsOf } from '#config/decisioning-settings.ts';
import { loadMarket } from '#config/markets/index.ts';
import { rescorerFrom } from './events.ts';

const REPO_MODELS = fileURLToPath(new URL('../../models', import.meta.url));
// the ir market's churn v1 reads the profile only; v2 reads the state's counters
const models = mkdtempSync(join(tmpdir(), 'cvm-rescore-models-'));
cpSync(join(REPO_MODELS, 'ir', 'churn'), join(models, 'ir', 'churn'), { recursive: true });
afterAll(() => rmSync(models, { recursive: true, force: true }));

/** The processor's environment with the ir market's settings, its churn pin at `version`. */
function processorEnv(version: string): NodeJS.ProcessEnv {
  const settings = decisioningSettingsOf(loadMarket('ir'));
  return {
    MARKET: 'ir',
    TENANT_TABLES: JSON.stringify({ consumer: 'cvm-ir-consumer' }),
    KEYS_TABLE: 'cvm-ir-keys',
    MODELS_DIR: models,
    DECISIONING: JSON.stringify({ ...settings, models: { churn: { version } } }),
  };
}

describe("the event processor's re-scorer", () => {
  it('does not read or compile the trees of a churn model that reads the profile only', async () => {
    // trees that cannot even be parsed: a cold start that loaded them would fail
    writeFileSync(join(models, 'ir', 'churn', '1', 'model.json'), '{ not json');
    await expect(rescorerFrom(processorEnv('1'))).resolves.toBeUndefined();
  });

  it('loads a churn model that reads state, and re-scores on the state fields it reads', async () => {
    const rescorer = await rescorerFrom(processorEnv('2'));
    expect(rescorer?.version).toBe('2');
    expect(rescorer?.stateFields.has('droppedCalls30d')).toBe(true);
  });

  it('has none without the decisioning settings', async () => {
    const { DECISIONING: _, ...withoutSettings } = processorEnv('2');
    await expect(rescorerFrom(withoutSettings)).resolves.toBeUndefined();
  });
});
