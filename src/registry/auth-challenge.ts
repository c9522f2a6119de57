// `WWW-Authenticate` parsing (RFC 9110 §11.6.1). A real parser, because
// quoted values contain commas (`scope="repository:a/b:pull,push"`) and one
// header may carry several challenges.

export interface AuthChallenge {
  /** Lowercased scheme: `basic`, `bearer`, ... */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
  /** A token68 value (`Negotiate abc==`), when the challenge has one instead of parameters. */
  token68?: string;
}

const tchar = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < n && tchar.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  const readQuoted = () => {
    i++; // opening quote
    let out = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      out += header[i];
      i++;
    }
    i++; // closing quote (tolerates a missing one at the end)
    return out;
  };
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const scheme = readToken();
    if (scheme === '') {
      i++; // skip a stray character rather than loop forever
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skipSpace();
    // Parameters until the next scheme: `name = value` pairs separated by commas.
    for (;;) {
      skipSpace();
      const save = i;
      const name = readToken();
      skipSpace();
      if (name !== '' && header[i] === '=') {
        let j = i;
        while (header[j] === '=') j++;
        const after = header.slice(j).trimStart();
        const noParamsYet = Object.keys(challenge.params).length === 0 && challenge.token68 === undefined;
        if (noParamsYet && (after === '' || after.startsWith(','))) {
          // token68 with '=' padding (`Negotiate abc==`).
          challenge.token68 = name + header.slice(i, j);
          i = j;
          continue;
        }
        i++;
        skipSpace();
        challenge.params[name.toLowerCase()] = header[i] === '"' ? readQuoted() : readToken();
        skipSpace();
        if (header[i] === ',') {
          i++;
          continue;
        }
        break;
      }
      if (name !== '' && Object.keys(challenge.params).length === 0 && challenge.token68 === undefined) {
        const after = header.slice(i).trimStart();
        if (after === '' || after.startsWith(',')) {
          challenge.token68 = name;
          continue;
        }
      }
      i = save; // not a parameter: the next challenge starts here
      break;
    }
  }
  return challenges;
}
