import { useEffect, useState } from "preact/hooks";

// Routes in the URL's fragment (#/board?group=x): the server serves one page, the page picks the view.

export interface Route {
  path: string[];
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const [p = "", q = ""] = hash.replace(/^#\/?/, "").split("?");
  return { path: p.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function href(path: string[], params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${path.map(encodeURIComponent).join("/")}${s ? `?${s}` : ""}`;
}

export const projectHref = (group: string, project: string) => href(["project", group, project]);
