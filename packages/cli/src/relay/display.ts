import type { TargetStatus } from '@eventfan/core';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/** How `relay` shows each target's state while it runs. */
export interface RelayDisplay {
  /** Redraws from the relay's `status()`; called on a timer. */
  show(statuses: readonly TargetStatus[]): void;
  /** Something the relay reported (a parked event, a retry): shown above the bars. */
  report(target: string, what: string): void;
  stop(): void;
}

/** One line of a target's state, for logs and the final summary. */
export function statusLine(s: TargetStatus): string {
  const error = s.lastError === undefined ? '' : ` · last error: ${s.lastError}`;
  return `${s.target}: ${s.state} · published ${s.published} · lag ${s.lag} · parked ${s.parked} · position ${s.position || '-'}${error}`;
}

/** A terminal gets one cli-progress bar per target, redrawn in place; anything else gets lines. */
export function relayDisplay(stream: NodeJS.WriteStream): RelayDisplay {
  return stream.isTTY ? bars(stream) : lines(stream);
}

/** Each bar fills as a target catches up: published of published + lag (events in flight). */
function bars(stream: NodeJS.WriteStream): RelayDisplay {
  const multi = new MultiBar(
    {
      stream,
      hideCursor: true,
      format: '{target} {bar} {state} | published {value} | lag {lag} | parked {parked}',
    },
    Presets.shades_classic,
  );
  const rows = new Map<string, SingleBar>();
  return {
    show(statuses) {
      for (const s of statuses) {
        const payload = {
          target: s.target.padEnd(8),
          state: s.state,
          lag: s.lag,
          parked: s.parked,
        };
        const total = Math.max(1, s.published + s.lag);
        const row = rows.get(s.target);
        if (row) {
          row.setTotal(total);
          row.update(s.published, payload);
        } else rows.set(s.target, multi.create(total, s.published, payload));
      }
    },
    report: (target, what) => multi.log(`${target}: ${what}\n`),
    stop: () => multi.stop(),
  };
}

/** A line per target whenever its state changed, so a log shows progress without a flood. */
function lines(stream: NodeJS.WriteStream): RelayDisplay {
  const last = new Map<string, string>();
  return {
    show(statuses) {
      for (const s of statuses) {
        const line = statusLine(s);
        if (last.get(s.target) === line) continue;
        last.set(s.target, line);
        stream.write(`eventfan relay ${line}\n`);
      }
    },
    report: (target, what) => stream.write(`eventfan relay ${target}: ${what}\n`),
    stop: () => {},
  };
}
