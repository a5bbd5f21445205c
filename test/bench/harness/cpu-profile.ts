// Reads a V8 .cpuprofile (node --cpu-prof): the functions the process spent its own time in, largest first.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The parts of a .cpuprofile read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  /** `name (file:line)`, the file relative to the repository when inside it. */
  frame: string;
  ms: number;
  share: number;
}

/** What self time is summed by: each function, or the package (or node built-in, or repository folder) it is in. */
export type Grouping = 'function' | 'package';

/** Self time per function or per package (summed over every node of it), the `top` largest. */
export function topSelfTime(profile: CpuProfile, top: number, root = '', by: Grouping = 'function'): SelfTime[] {
  const frameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(root, '');
    frameOf.set(node.id, by === 'package' ? packageOf(functionName, file) : `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`);
  }
  const micros = new Map<string, number>();
  let total = 0;
  // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = frameOf.get(id) ?? `(node ${id})`;
    micros.set(frame, (micros.get(frame) ?? 0) + delta);
    total += delta;
  });
  return [...micros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, ms: us / 1000, share: total > 0 ? us / total : 0 }));
}

// V8's own entries ("(garbage collector)", "(idle)") and native functions have no file; they stay as named.
function packageOf(functionName: string, file: string): string {
  if (file === '') return functionName || '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (dependency) return dependency[1] ?? file;
  if (file.startsWith('node:')) return `node:${file.slice('node:'.length).split('/')[0] ?? ''}`;
  // The repository's own code by folder: dist/lib/dispatch/x.js and lib/dispatch/x.ts are both lib/dispatch.
  return file.replace(/^dist\//, '').split('/').slice(0, -1).join('/') || file;
}
