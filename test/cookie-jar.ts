/** Cookies kept from fetch answers and sent back, as a browser would (one site, no paths). */
export class CookieJar {
  private readonly jar = new Map<string, string>();

  header(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      const value = pair!.slice(at + 1);
      if (value) this.jar.set(pair!.slice(0, at), value);
      else this.jar.delete(pair!.slice(0, at));
    }
  }
}
