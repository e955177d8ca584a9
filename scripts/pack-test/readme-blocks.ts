import { readFileSync } from 'node:fs';

/** One ```ts block of a README, with where it is for error messages. */
export interface ReadmeBlock {
  /** The README's path relative to the repo root, e.g. `packages/core/README.md`. */
  readonly readme: string;
  /** 1-based index among the README's ts blocks. */
  readonly index: number;
  /** Line of the opening fence, 1-based. */
  readonly line: number;
  readonly code: string;
  /** Marked `// fragment` on its first line: not type-checked, not run. */
  readonly fragment: boolean;
  /**
   * A first line naming a file (`// combat.ts`) makes the block that module: later blocks of the
   * same README import it (`./combat.js`), as a reader would keep it in a file of that name.
   */
  readonly module?: string;
  /** Names what it is in messages: `packages/core/README.md block 2 (line 40)`. */
  readonly label: string;
}

/** Every ```ts / ```typescript block of a Markdown file, in order. */
export function readmeBlocks(root: string, readme: string): ReadmeBlock[] {
  const lines = readFileSync(`${root}/${readme}`, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i] ?? '')) body.push(lines[i] ?? '');
    const index = blocks.length + 1;
    const module = /^\s*\/\/\s*([\w-]+\.ts)\s*$/.exec(body[0] ?? '')?.[1];
    blocks.push({
      ...(module ? { module } : {}),
      readme,
      index,
      line: start + 1,
      code: body.join('\n') + '\n',
      fragment: /^\s*\/\/\s*fragment\b/.test(body[0] ?? ''),
      label: `${readme} block ${index} (line ${start + 1})`,
    });
  }
  return blocks;
}
