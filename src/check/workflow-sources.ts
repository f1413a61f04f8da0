// Where a reusable workflow of another repository is read: a checkout of that repository the user names
// (--workflow-source OWNER/REPO=DIR), else GitHub's contents API when a token is at hand. Pure: the entry
// point supplies the reads under DIR (which stay inside it) and the API call.
import type { ReadRemoteWorkflow } from './workflows.ts';

export interface WorkflowSources {
  /** By OWNER/REPO, lower-case: the checkout's root as given, and a read of a file under it (undefined: none there, or it leads outside). */
  checkouts: Map<string, { dir: string; read: (file: string) => string | undefined }>;
  /** GET /repos/{owner}/{repo}/contents/{path}?ref=REF: the file's text; throws when GitHub does not give it. */
  contents?: (owner: string, repo: string, file: string, ref: string) => Promise<string>;
}

const SOURCE = /^([\w.-]+\/[\w.-]+)=(.+)$/;

/** `OWNER/REPO=DIR` → its parts; undefined when it is not of that form. */
export function parseWorkflowSource(value: string): { repository: string; dir: string } | undefined {
  const match = SOURCE.exec(value.trim());
  return match ? { repository: match[1]!.toLowerCase(), dir: match[2]! } : undefined;
}

export function remoteReader(sources: WorkflowSources): ReadRemoteWorkflow {
  return async ({ owner, repo, path, ref }) => {
    const checkout = sources.checkouts.get(`${owner}/${repo}`.toLowerCase());
    if (checkout) {
      const text = checkout.read(path);
      // A checkout has one ref, whichever was checked out: the one the caller names is taken to be it.
      return text === undefined ? { unread: `${path} is not a file inside the checkout ${checkout.dir}` } : { text, from: `the checkout ${checkout.dir} (as checked out, taken as ${ref})` };
    }
    if (!sources.contents) return { unread: 'no source given' };
    try {
      return { text: await sources.contents(owner, repo, path, ref), from: `GitHub's API at ${ref}` };
    } catch (error) {
      return { unread: `GitHub's API did not give it: ${(error as Error).message.split('\n')[0]}` };
    }
  };
}
