import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderInUse, lockFolder } from './folder-lock.ts';

const folder = () => mkdtempSync(join(tmpdir(), 'fenyong-lock-'));

describe('lockFolder', () => {
  it('takes a folder for this process and gives it back on release', () => {
    const dir = folder();
    const release = lockFolder(dir);
    expect(existsSync(join(dir, 'fenyong.lock'))).toBe(true);
    release();
    expect(existsSync(join(dir, 'fenyong.lock'))).toBe(false);
  });

  it('lets this process open a folder twice, and keeps it until both are released', () => {
    const dir = folder();
    const first = lockFolder(dir);
    const second = lockFolder(dir);
    first();
    expect(existsSync(join(dir, 'fenyong.lock'))).toBe(true);
    second();
    expect(existsSync(join(dir, 'fenyong.lock'))).toBe(false);
  });

  it('refuses a folder another running process holds, naming it', () => {
    const dir = folder();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'fenyong.lock'), String(other.pid));
      expect(() => lockFolder(dir)).toThrow(FolderInUse);
      expect(() => lockFolder(dir)).toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that has ended (a crash)', () => {
    const dir = folder();
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, 'fenyong.lock'), ended);
    const release = lockFolder(dir);
    release();
  });
});
