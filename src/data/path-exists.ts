import { access } from 'node:fs/promises';

/** True when something exists at `p` (file or folder) and can be reached. */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
