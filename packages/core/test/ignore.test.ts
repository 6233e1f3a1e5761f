import { describe, expect, it } from 'vitest';
import { createIgnorePredicate } from '../src/ignore.js';

describe('ignore rules', () => {
  const root = '/w';
  it('matches a bare name at any depth, and dotfiles', () => {
    const ignored = createIgnorePredicate(root, ['node_modules', '*.log', '.git']);
    expect(ignored('/w/node_modules')).toBe(true);
    expect(ignored('/w/pkg/node_modules')).toBe(true);
    expect(ignored('/w/a/b/debug.log')).toBe(true);
    expect(ignored('/w/.git')).toBe(true);
    expect(ignored('/w/src/index.ts')).toBe(false);
    expect(ignored('/w')).toBe(false);
  });
  it('matches globs with a slash against the path relative to the root', () => {
    const ignored = createIgnorePredicate(root, ['build/**', 'docs/*.tmp']);
    expect(ignored('/w/build/x/y.js')).toBe(true);
    expect(ignored('/w/src/build/x.js')).toBe(false);
    expect(ignored('/w/docs/a.tmp')).toBe(true);
  });
  it('takes absolute paths inside the root, RegExps and functions', () => {
    const ignored = createIgnorePredicate(root, ['/w/secret', /\.bak$/, (p, kind) => kind === 'symlink' && p.endsWith('link')]);
    expect(ignored('/w/secret')).toBe(true);
    expect(ignored('/w/a.bak')).toBe(true);
    expect(ignored('/w/mylink', 'symlink')).toBe(true);
    expect(ignored('/w/mylink', 'file')).toBe(false);
  });
  it('rejects a rule of the wrong type', () => {
    expect(() => createIgnorePredicate(root, [42 as never])).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
