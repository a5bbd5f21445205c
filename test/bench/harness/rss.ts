// The memory of another process, from /proc/<pid>/status: its resident set now (VmRSS) and at its peak (VmHWM).

import { readFileSync } from 'node:fs';

export interface ProcMemory {
  rssBytes: number;
  peakRssBytes: number;
}

/** Reads VmRSS and VmHWM (kB) out of a /proc/<pid>/status text. */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kb('VmRSS');
  const hwm = kb('VmHWM');
  return rss === undefined || hwm === undefined ? undefined : { rssBytes: rss, peakRssBytes: hwm };
}

/** The process's memory now; undefined once it has gone (or off Linux). */
export function readProcMemory(pid: number): ProcMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** What a sampler saw: the peak, how many samples, and each sample as [ms since start, RSS in MB]. */
export interface RssSamples {
  peakRssBytes: number | null;
  samples: number;
  lastRssBytes: number | null;
  series: Array<[ms: number, rssMb: number]>;
}

/** Samples a process's RSS every `everyMs` until stopped; the peak is the larger of the samples and the kernel's VmHWM. */
export function sampleRss(pid: number, everyMs: number): { stop(): RssSamples } {
  let peak: number | null = null;
  let last: number | null = null;
  let samples = 0;
  const series: Array<[number, number]> = [];
  const started = performance.now();
  const take = () => {
    const memory = readProcMemory(pid);
    if (!memory) return;
    samples += 1;
    last = memory.rssBytes;
    peak = Math.max(peak ?? 0, memory.rssBytes, memory.peakRssBytes);
    series.push([Math.round(performance.now() - started), Math.round(memory.rssBytes / 1e5) / 10]);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { peakRssBytes: peak, samples, lastRssBytes: last, series };
    },
  };
}
