import type { Command } from 'commander';
export function registerPlanLint(_program: Command, _setExit: (code: number) => void): void {}
