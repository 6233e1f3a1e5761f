import { it } from 'vitest';
import { runSmoke } from './wine-harness.js';
it('try', async () => {
  for (let i = 0; i < Number(process.env.N ?? 8); i++) {
    const r = await runSmoke(process.env.SCEN ?? 'exit-unref');
    console.log(i, r.status, r.ms, JSON.stringify(r.stdout.slice(-300)), JSON.stringify(r.stderr.slice(-600)));
  }
}, 300000);
