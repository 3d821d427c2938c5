// Reference apps built with Maven (bench/<name>/pom.xml → bench/.work/<name>-target/classes +
// lib/*.jar), once, and again only when the pom or a source file changes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CommandError } from './context.mjs';

const builds = new Map();

function sourceHash(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  h.update(readFileSync(join(dir, 'pom.xml')));
  walk(join(dir, 'src'));
  return h.digest('hex');
}

/** Builds bench/<name> with Maven unless the cached build matches the sources → { classpath, builtNow, seconds? }. */
export function ensureMavenBuilt(ctx, name, what) {
  if (!builds.has(name)) {
    builds.set(name, (async () => {
      const dir = join(ctx.benchDir, name);
      const target = join(ctx.cacheDir, `${name}-target`);
      const stamp = join(target, '.bench-stamp');
      const hash = sourceHash(dir);
      const classpath = `${join(target, 'classes')}:${join(target, 'lib')}/*`;
      if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return { classpath, builtNow: false };
      ctx.log(`building ${what} with Maven (once)…`);
      const r = await ctx.run('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', join(dir, 'pom.xml'), 'package'], { timeoutMs: 10 * 60_000 });
      if (r.code !== 0) throw new CommandError(`mvn package (bench/${name})`, r);
      writeFileSync(stamp, hash);
      return { classpath, builtNow: true, seconds: r.seconds };
    })());
  }
  return builds.get(name);
}
