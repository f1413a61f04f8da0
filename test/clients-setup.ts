// Jest's global setup: finds the real AWS clients once, and says in one line what their tests skip.
import { findClients, missingClientsNotice } from './standins/clients.ts';

export default function setUp(): void {
  const notice = missingClientsNotice(findClients());
  if (notice) process.stderr.write(`\n${notice}\n`);
}
