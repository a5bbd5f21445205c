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

/** Self time per function (summed over every node of the same function), the `top` largest. */
export function topSelfTime(profile: CpuProfile, top: number, root = ''): SelfTime[] {
  const frameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '').replace(root, '');
    frameOf.set(node.id, `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`);
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
