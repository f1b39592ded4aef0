// Whether Debian's Python (/usr/bin/python3, the one with torch and PIL) can import a module: tests that
// compare with a Python reference run only where it can.
import { execFileSync } from 'node:child_process';

export function hasPythonModule(name: string): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', `import ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
