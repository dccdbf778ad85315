// The documented HTTP API (docs/api.md), and nothing else. The token lives in sessionStorage
// only: it is sent in the Authorization header, never put in a URL or written to the console.

const TOKEN_KEY = "kechuang.token";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = error.code || "http_" + status;
    this.fields = error.fields || {};
    this.body = body;
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The JWT's payload, decoded only to show who is signed in (the services check the signature). */
export function decodeToken(token) {
  const parts = (token || "").split(".");
  if (parts.length !== 3) throw new Error("令牌格式不正确：应为三段以“.”分隔的 JWT");
  const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  const payload = JSON.parse(new TextDecoder().decode(bytes));
  if (!payload.role) throw new Error("令牌中没有角色信息");
  if (payload.exp && payload.exp * 1000 < Date.now()) throw new Error("令牌已过期，请重新获取");
  return payload;
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/** fetch with the token; JSON in and out. Resolves to {data, response}; rejects with ApiError. */
// What needs fresh proof (managing accounts, TOTP) answers 403 `reauthenticate` when the
// password was last given minutes ago: session.js registers a dialog that asks for it again,
// and the request is then sent once more.
let reauthenticate = null;
export function onReauthenticate(hook) {
  reauthenticate = hook;
}

export async function request(method, path, { body, headers = {}, raw = false, retried = false } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  const token = getToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { error: { code: "network", message: "无法连接服务器，请检查网络后重试" } });
  }
  if (!response.ok) {
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    const error = new ApiError(response.status, payload);
    if (response.status === 401) onUnauthorized(error);
    if (response.status === 403 && payload?.error?.reauthenticate && reauthenticate && !retried) {
      await reauthenticate(); // rejects when the person cancels
      return request(method, path, { body, headers, raw, retried: true });
    }
    throw error;
  }
  if (raw) return { data: null, response };
  const text = await response.text();
  return { data: text ? JSON.parse(text) : null, response };
}

export const get = async (path) => (await request("GET", path)).data;
export const post = async (path, body, headers) => (await request("POST", path, { body, headers })).data;

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Download a file that needs the token: fetch it with the header, then save the Blob. */
export async function download(path, fallbackName) {
  const { response } = await request("GET", path, { raw: true });
  const blob = await response.blob();
  const name = filenameFrom(response.headers.get("Content-Disposition")) || fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

function filenameFrom(disposition) {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}
