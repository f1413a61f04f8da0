// One of several processes contending for the helper's lock (test/unit/lock.test.ts). Inside the lock it
// claims a marker file exclusively and bumps a counter by read, pause, write: two owners at once would
// find the marker taken, or lose an increment. Exits 2 on such an overlap.
import { openSync, closeSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withLock } from '../../src/lock.ts';

const [lock = '', rounds = '1'] = process.argv.slice(2);
const inside = path.join(path.dirname(lock), 'inside');
const counter = path.join(path.dirname(lock), 'counter');
for (let i = 0; i < Number(rounds); i++) {
  await withLock(lock, async () => {
    let fd: number;
    try {
      fd = openSync(inside, 'wx');
    } catch {
      process.exit(2);
    }
    const count = Number(readFileSync(counter, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    writeFileSync(counter, String(count + 1));
    closeSync(fd);
    unlinkSync(inside);
  }, { pollMs: 2 });
}
