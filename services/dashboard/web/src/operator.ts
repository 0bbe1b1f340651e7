import { createContext } from "preact";
import { useState } from "preact/hooks";

// Who acts and with what token: entered once in the page's header, kept for the browser tab
// (sessionStorage; the name in localStorage), sent with every action.

export interface Operator {
  token: string;
  name: string;
  /** The server allows actions at all (it was started with a token). */
  enabled: boolean;
  set(token: string, name: string): void;
}

export const OperatorContext = createContext<Operator>({ token: "", name: "", enabled: false, set: () => undefined });

export function useOperatorState(enabled: boolean): Operator {
  const [token, setToken] = useState(() => sessionStorage.getItem("drover.token") ?? "");
  const [name, setName] = useState(() => localStorage.getItem("drover.operator") ?? "");
  return {
    token,
    name,
    enabled,
    set(t, n) {
      sessionStorage.setItem("drover.token", t);
      localStorage.setItem("drover.operator", n);
      setToken(t);
      setName(n);
    },
  };
}
