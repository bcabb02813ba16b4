import type { Command } from 'commander';
export function registerExplain(_program: Command, _setExit: (code: number) => void): void {}
