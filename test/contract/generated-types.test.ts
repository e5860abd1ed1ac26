import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';

it('generated/ is what `npm run generate` makes from openapi.yaml (regenerate and commit when this fails)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-generate-'));
  try {
    const fresh = join(dir, 'openapi.ts');
    execFileSync(join(projectRoot, 'node_modules', '.bin', 'openapi-typescript'), ['openapi.yaml', '--output', fresh], {
      cwd: projectRoot,
      stdio: 'pipe',
    });
    expect(readFileSync(join(projectRoot, 'generated', 'openapi.ts'), 'utf8')).toBe(readFileSync(fresh, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
