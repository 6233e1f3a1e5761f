// watch()'s arguments are checked in one place (options.ts): every bad value is a typed error naming the option.
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, nearestOption, resolvePaths, resolveWatchOptions } from '../src/options.js';

const codeOf = (f: () => unknown): { code?: string; message?: string } => {
  try {
    f();
  } catch (e) {
    return e as { code?: string; message?: string };
  }
  return {};
};

describe('watch() options', () => {
  it('a timer option above 2^31-1 ms is refused (Node would fire it at once, every tick)', () => {
    for (const option of ['pollInterval', 'remotePollInterval', 'settle']) {
      const e = codeOf(() => resolveWatchOptions({ [option]: MAX_TIMER_MS + 1 }));
      expect(e.code, option).toBe('INVALID_OPTION');
      expect(e.message).toContain(option);
      expect(e.message).toContain(String(MAX_TIMER_MS));
    }
    expect(resolveWatchOptions({ pollInterval: MAX_TIMER_MS }).pollInterval).toBe(MAX_TIMER_MS);
  });
  it('each option takes only what it says, and says what it got', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ pollInterval: -1 }, 'pollInterval', 'got -1'],
      [{ pollInterval: Number.NaN }, 'pollInterval', 'got NaN'],
      // biome-ignore lint/correctness/noPrecisionLoss: 1e309 is Infinity on purpose (a user's typo that must be refused)
      [{ pollInterval: 1e309 }, 'pollInterval', 'got Infinity'],
      [{ settle: 'soon' }, 'settle', 'got "soon"'],
      [{ ignore: 42 }, 'ignore', 'got 42'],
      [{ ignore: [42] }, 'ignore[0]', 'got 42'],
      [{ ignore: [''] }, 'ignore[0]', 'got ""'],
      [{ followSymlinks: 'yes' }, 'followSymlinks', 'got "yes"'],
      [{ persistent: 1 }, 'persistent', 'got 1'],
      [{ depth: -1 }, 'depth', 'got -1'],
      [{ depth: 1.5 }, 'depth', 'got 1.5'],
      [{ onWatchLimit: 'ignore' }, 'onWatchLimit', 'got "ignore"'],
      [{ backend: 7 }, 'backend', 'got 7'],
      [{ cwd: '' }, 'cwd', 'got ""'],
    ];
    for (const [options, name, got] of cases) {
      const e = codeOf(() => resolveWatchOptions(options, {}));
      expect(e.code, JSON.stringify(options)).toBe('INVALID_OPTION');
      expect(e.message).toContain(name);
      expect(e.message).toContain(got);
    }
  });
  it('an unknown option is refused and the nearest known one named', () => {
    const e = codeOf(() => resolveWatchOptions({ ignored: ['x'] }, {}));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('"ignored"');
    expect(e.message).toContain('did you mean ignore?');
    expect(nearestOption('pollinterval')).toBe('pollInterval');
    expect(nearestOption('usePolling')).toBe("backend: 'poll'");
    expect(nearestOption('zzzzzz')).toBeUndefined();
  });
  it('fills in the defaults, and VIGIL_BACKEND when no backend is given', () => {
    const r = resolveWatchOptions(undefined, { VIGIL_BACKEND: 'poll' });
    expect(r).toMatchObject({
      backend: 'poll',
      backendSource: 'environment',
      pollInterval: 1000,
      settle: 300,
      depth: Infinity,
      persistent: true,
      initial: false,
    });
    expect(resolveWatchOptions({ backend: 'inotify' }, { VIGIL_BACKEND: 'poll' }).backendSource).toBe('option');
  });
});

describe("watch()'s paths", () => {
  it('takes a string or an array of strings, nothing else', () => {
    for (const bad of [42, null, undefined, {}, [42], ['ok', null]]) {
      expect(codeOf(() => resolvePaths(bad, '/cwd')).code, JSON.stringify(bad)).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => resolvePaths([], '/cwd')).code).toBe('INVALID_ARGUMENT');
  });
  it("'' is no path (not the current directory), and a NUL cannot be in one", () => {
    expect(codeOf(() => resolvePaths('', '/cwd')).message).toContain("write '.'");
    expect(codeOf(() => resolvePaths('a\0b', '/cwd')).code).toBe('INVALID_ARGUMENT');
  });
  it('resolves relative paths against cwd and keeps the spelling otherwise', () => {
    expect(resolvePaths(['src', '/abs/x', 'a/../b'], '/cwd')).toEqual(['/cwd/src', '/abs/x', '/cwd/b']);
  });
});
