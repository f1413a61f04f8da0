// A web identity token from a file (web-identity-token-file): EKS service account tokens, or any OIDC
// provider that writes one. Read again for each fresh token, since whatever writes it renews it.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';

export async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('web-identity-token-file', code === 'ENOENT' ? `names ${file}, which does not exist` : `names ${file}, which cannot be read (${code})`);
  }
  const jwt = text.trim();
  if (jwt === '') throw new InputError('web-identity-token-file', `names ${file}, which is empty`);
  return jwt;
}
