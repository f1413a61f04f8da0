// The stand-in runner is what every secret scan trusts, so its masking is tested like product code:
// line by line, from the ::add-mask:: on, and into the later steps of the job, as GitHub's runner does.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { Job } from '../standins/runner.ts';
import type { Issuer } from '../standins/oidc-issuer.ts';
import type { Sts } from '../standins/sts-emulator.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
let job: Job;

beforeEach(async () => {
  job = await Job.create({ env: {} });
});

afterEach(async () => {
  await job.dispose();
});

// A step that writes its lines in a fixed order, each one flushed before the next is written.
const step = (lines: string[]) =>
  job.node(['-e', `for (const l of ${JSON.stringify(lines)}) require('fs').writeSync(l.startsWith('err:') ? 2 : 1, l.replace(/^err:/, '') + '\\n');`]);

describe('the stand-in runner masks as GitHub does', () => {
  it('shows a secret printed before its ::add-mask:: in clear, and masks every line after it', async () => {
    const first = await step([`early ${SECRET}`, `::add-mask::${SECRET}`, `late ${SECRET}`]);
    expect(first.log).toEqual([`early ${SECRET}`, 'late ***']);
    const second = await step([`next step ${SECRET}`]);
    expect(second.log).toEqual(['next step ***']);
  });

  // One pipe only: across stdout and stderr the order is arrival order, which a test must not rely on.
  it('takes commands and masks from stderr too', async () => {
    const result = await step([`err:::add-mask::${SECRET}`, `err:::warning::careful`, `err:then ${SECRET}`]);
    expect(result.log).toEqual(['Warning: careful', 'then ***']);
    expect(result.warnings).toEqual(['careful']);
  });

  it('ends a line at a lone carriage return and finds a command after leading blanks, as the runner does', async () => {
    const result = await step(['plain\r  ::warning::after a carriage return', '\t::notice::after a tab']);
    expect(result.warnings).toEqual(['after a carriage return']);
    expect(result.log).toEqual(['plain', 'Warning: after a carriage return', 'Notice: after a tab']);
  });

  it('lets the secret scan see the early leak', async () => {
    const result = await step([`early ${SECRET}`, `::add-mask::${SECRET}`]);
    const sts = { issued: [{ accessKeyId: 'ASIAUNUSED', secretAccessKey: SECRET, sessionToken: 'IQoJunused' }], accounts: [] } as unknown as Sts;
    const issuer = { issued: [], requestToken: 'request-token-unused' } as unknown as Issuer;
    expect(findLeaks([result], issuer, sts)).toEqual(expect.arrayContaining([`step 1: log shows ${SECRET.slice(0, 8)}…`]));
  });
});
