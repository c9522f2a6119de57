// Keeps credentials out of every text we produce from git: URL userinfo is
// masked wherever a URL appears, and known secret values are masked anywhere
// (git or a server may echo them back in an error).

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi;

/** `https://user:token@host/x` -> `https://***@host/x`; texts without userinfo are returned unchanged. */
export function redactUrl(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** Masks URL userinfo and every occurrence of each secret (raw, URL-encoded, and inside a Basic header). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const s of secrets) {
    // Very short values would mask ordinary words; a credential that short is not a credential.
    if (s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')])) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

/** Splits `scheme://user:pass@host/...` into the URL without userinfo and the userinfo parts. */
export function splitUrlUserinfo(url: string): { url: string; username?: string; password?: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@(.*)$/i.exec(url);
  if (!m) return { url };
  const [, scheme, info, rest] = m;
  const colon = info!.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (colon < 0) return { url: `${scheme}${rest}`, username: decode(info!) };
  return {
    url: `${scheme}${rest}`,
    username: decode(info!.slice(0, colon)),
    password: decode(info!.slice(colon + 1)),
  };
}
