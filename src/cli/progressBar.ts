/** A one-line progress bar on stderr (redrawn in place on a terminal, plain lines otherwise). */
export function progressBar(label: string) {
  const start = Date.now();
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return {
    update(done: number, total: number, message = '') {
      const now = Date.now();
      if (!tty && now - lastLine < 2000 && done < total) return;
      lastLine = now;
      const secs = (now - start) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 28;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const eta = rate > 0 && total > done ? ` eta ${Math.ceil((total - done) / rate)}s` : '';
      const line = `${label} [${bar}] ${done}/${total || '?'} ${rate.toFixed(1)}/s${eta} ${message}`;
      if (tty)
        process.stderr.write(
          `\r${line.slice(0, (process.stderr.columns ?? 120) - 1).padEnd(Math.min(120, (process.stderr.columns ?? 120) - 1))}`,
        );
      else process.stderr.write(`${line}\n`);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
