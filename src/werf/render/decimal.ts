// The exact decimal arithmetic sprig's float functions (addf, subf, mulf,
// divf, add1f) do through shopspring/decimal: each float is taken at its
// shortest decimal form, the operation is exact (division rounds to 16
// places, half away from zero), and the result is converted back.
interface Dec {
  m: bigint;
  e: number;
}

function fromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${f}`);
  const s = f.toExponential(); // shortest digits
  const [mant, exp] = s.split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const e = Number(exp) - (digits.length - 1);
  const m = BigInt(digits);
  return { m: neg ? -m : m, e };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function toFloat(d: Dec): number {
  return Number(`${d.m}e${d.e}`);
}

function div(a: Dec, b: Dec): Dec {
  if (b.m === 0n) throw new Error('decimal division by zero');
  const prec = 16;
  // a/b = (a.m / b.m) * 10^(a.e - b.e); want r * 10^-(prec+1), then round.
  const shift = a.e - b.e + prec + 1;
  let num = a.m;
  let den = b.m;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const q = num / den; // truncated toward zero, one extra digit
  const last = q % 10n;
  let r = q / 10n;
  if (last >= 5n) r += 1n;
  else if (last <= -5n) r -= 1n;
  return { m: r, e: -prec };
}

export function decimalOp(op: 'add' | 'sub' | 'mul' | 'div', first: number, rest: number[]): number {
  let acc = fromFloat(first);
  for (const x of rest) {
    const d = fromFloat(x);
    switch (op) {
      case 'add': {
        const [p, q, e] = align(acc, d);
        acc = { m: p + q, e };
        break;
      }
      case 'sub': {
        const [p, q, e] = align(acc, d);
        acc = { m: p - q, e };
        break;
      }
      case 'mul':
        acc = { m: acc.m * d.m, e: acc.e + d.e };
        break;
      case 'div':
        acc = div(acc, d);
        break;
    }
  }
  return toFloat(acc);
}
