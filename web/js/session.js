// Signing in with a password (the identity service, docs/api.md "Session"): the sign-in page
// (username, password, the TOTP code when the account asks for it), the forced change of an
// initial password, keeping the 15-minute access token fresh through the refresh cookie, and
// signing out. The access token lives in sessionStorage like a pasted one (api.js); the
// refresh token is an HttpOnly cookie the page never sees. The paste-a-token screen stays
// for service accounts, behind the link 使用服务令牌登录.

import { ApiError, clearToken, decodeToken, getToken, onReauthenticate, request, setToken } from "./api.js";
import { alertBox, h } from "./ui.js";

const PERSON_KEY = "kechuang.person";
const EARLY_MS = 60_000; // refresh this long before the access token expires
let timer = null;
let refreshing = null;

/** The signed-in person ({name, username, must_change_password, ...}), or null. */
export function person() {
  try {
    return JSON.parse(sessionStorage.getItem(PERSON_KEY));
  } catch {
    return null;
  }
}

function adopt(answer) {
  setToken(answer.access_token);
  sessionStorage.setItem(PERSON_KEY, JSON.stringify(answer.person));
  scheduleRefresh();
}

function forget() {
  clearTimeout(timer);
  sessionStorage.removeItem(PERSON_KEY);
  clearToken();
}

/** POST without the bearer token or the 401 hook: sign-in and refresh answer 401 themselves. */
async function plainPost(path, body) {
  const init = { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } };
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
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

/** Renew the access token through the cookie (one request at a time: a second refresh with
 * the same cookie would look like a stolen one and end the session). */
export function refresh() {
  if (!refreshing) {
    refreshing = plainPost("/api/v1/session/refresh")
      .then((answer) => {
        adopt(answer);
        return answer;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Schedule the next refresh of a person's token (pasted service tokens are left alone). */
export function scheduleRefresh() {
  clearTimeout(timer);
  let claims;
  try {
    claims = decodeToken(getToken());
  } catch {
    return;
  }
  if (!claims.sid) return;
  const wait = Math.max(5_000, claims.exp * 1000 - Date.now() - EARLY_MS);
  timer = setTimeout(() => refresh().catch(() => {}), wait);
}

/** After a reload or a sleep: a person whose access token expired gets a new one through the
 * cookie. Resolves to the token's claims, or null when there is no session to resume. */
export async function resume() {
  try {
    const claims = decodeToken(getToken());
    if (claims.sid) scheduleRefresh();
    return claims;
  } catch {
    if (!person()) return null;
    try {
      await refresh();
      return decodeToken(getToken());
    } catch {
      forget();
      return null;
    }
  }
}

/** End the session on the server (the cookie's refresh token and this access token). */
export async function signOut() {
  if (person()) {
    const headers = getToken() ? { Authorization: `Bearer ${getToken()}` } : {};
    await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin", headers }).catch(() => {});
  }
  forget();
}

function field(id, label, attrs, hint) {
  const input = h("input", { id, name: id, required: true, ...attrs });
  return { input, row: h("div.field", {}, h("label", { for: id }, label), input, hint ? h("p.hint", {}, hint) : null) };
}

/** The sign-in page. `onSignedIn(person)` once signed in (after a forced password change);
 * `tokenForm()` shows the paste-a-token screen. */
export function signInPage(main, { notice, onSignedIn, tokenForm }) {
  const error = h("div", { "aria-live": "assertive" });
  const username = field("username", "用户名", { autocomplete: "username", autocapitalize: "none", spellcheck: "false" });
  const password = field("password", "密码", { type: "password", autocomplete: "current-password" });
  const totp = field("totp", "动态验证码", { inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" },
    "请输入身份验证器 App 中的 6 位验证码。");
  totp.row.hidden = true;
  totp.input.required = false;
  const button = h("button.btn", { type: "submit" }, "登录");
  const form = h(
    "form.panel.signin#signin",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        const body = { username: username.input.value.trim(), password: password.input.value };
        if (!totp.row.hidden) body.totp = totp.input.value.trim();
        button.disabled = true;
        try {
          const answer = await plainPost("/api/v1/session", body);
          adopt(answer);
          password.input.value = "";
          const enrolThenIn = () => (person().must_enrol_totp
            ? totpPage(main, { onDone: () => onSignedIn(person()) })
            : onSignedIn(person()));
          if (answer.person.must_change_password) {
            passwordPage(main, { forced: true, onDone: enrolThenIn });
          } else if (answer.person.must_enrol_totp) {
            enrolThenIn();
          } else {
            onSignedIn(answer.person);
          }
        } catch (e) {
          if (e.body && e.body.error && e.body.error.totp_required) {
            totp.row.hidden = false;
            totp.input.required = true;
            totp.input.focus();
          }
          error.replaceChildren(alertBox("error", e.message));
        } finally {
          button.disabled = false;
        }
      },
    },
    h("div.row", {}, h("span.brand-mark", { "aria-hidden": "true" }, "科"), h("h1", { style: "margin:0" }, "科创项目征集 · 管理控制台")),
    h("p.muted", {}, "区县科协在此填报、提交项目并上传材料；市科协在此查看汇总、审核和遴选。"),
    notice ? alertBox("info", notice) : null,
    error,
    username.row,
    password.row,
    totp.row,
    h("div.row", {}, button,
      h("a#service-token", { href: "#", onclick: (e) => { e.preventDefault(); tokenForm(); } }, "使用服务令牌登录")),
  );
  main.replaceChildren(form);
  username.input.focus();
}

/** Change the password: forced after signing in with an initial one, or from the top bar.
 * The server ends the person's other sessions and answers a new access token for this one. */
export function passwordPage(main, { forced = false, onDone }) {
  const error = h("div", { "aria-live": "assertive" });
  const current = field("current-password", forced ? "初始密码" : "原密码", { type: "password", autocomplete: "current-password" });
  const fresh = field("new-password", "新密码", { type: "password", autocomplete: "new-password", minlength: "10" },
    "至少 10 位，含字母、数字、符号中的至少两类。修改后，您在其他设备上的登录将失效。");
  const again = field("new-password-again", "再次输入新密码", { type: "password", autocomplete: "new-password" });
  const form = h(
    "form.panel.signin#change-password",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        if (fresh.input.value !== again.input.value) {
          error.replaceChildren(alertBox("error", "两次输入的新密码不一致"));
          return;
        }
        try {
          const { data } = await request("POST", "/api/v1/session/password", {
            body: { current_password: current.input.value, new_password: fresh.input.value },
          });
          adopt(data);
          onDone();
        } catch (e) {
          const problems = Object.values(e.fields || {}).flat();
          error.replaceChildren(alertBox("error", e.message, problems));
        }
      },
    },
    h("h1", {}, "修改密码"),
    forced ? alertBox("info", "首次登录须先修改初始密码。") : null,
    error,
    current.row,
    fresh.row,
    again.row,
    h("div.row", {}, h("button.btn", { type: "submit" }, "修改密码")),
  );
  main.replaceChildren(form);
  current.input.focus();
}

/** Fresh proof (api.js `onReauthenticate`): a dialog asks for the password again and sends it
 * to POST /api/v1/session/confirm; resolves once confirmed, rejects when cancelled. */
function confirmIdentity() {
  return new Promise((resolve, reject) => {
    const error = h("div", { "aria-live": "assertive" });
    const password = field("confirm-password", "当前密码", { type: "password", autocomplete: "current-password" });
    const dialog = h("dialog.panel#confirm-identity", { "aria-labelledby": "confirm-title" });
    const cancel = () => {
      dialog.close();
      dialog.remove();
      reject(new ApiError(403, { error: { code: "forbidden", message: "已取消：此操作须先确认身份" } }));
    };
    const form = h("form", {
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        try {
          await request("POST", "/api/v1/session/confirm", { body: { password: password.input.value } });
          dialog.close();
          dialog.remove();
          resolve();
        } catch (e) {
          error.replaceChildren(alertBox("error", e.message));
        }
      },
    },
    h("h2#confirm-title", {}, "确认身份"),
    h("p.hint", {}, "管理账号、启用动态验证码前，请再次输入您的密码。"),
    error, password.row,
    h("div.row", {}, h("button.btn", { type: "submit" }, "确认"),
      h("button.btn.btn-ghost", { type: "button", onclick: cancel }, "取消")));
    dialog.append(form);
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); cancel(); });
    document.body.append(dialog);
    dialog.showModal();
    password.input.focus();
  });
}
onReauthenticate(confirmIdentity);

/** Staff admins and operators must use an authenticator app (TOTP): until they enrol, their
 * token is good for this page only. Shows the secret, then takes the app's first code. */
export async function totpPage(main, { onDone }) {
  const error = h("div", { "aria-live": "assertive" });
  let started;
  try {
    ({ data: started } = await request("POST", "/api/v1/session/totp"));
  } catch (e) {
    main.replaceChildren(alertBox("error", e.message));
    return;
  }
  const code = field("totp-code", "验证码", { inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" },
    "在身份验证器 App 中添加账号后，输入其显示的 6 位验证码。");
  const form = h("form.panel.signin#enrol-totp", {
    onsubmit: async (event) => {
      event.preventDefault();
      error.replaceChildren();
      try {
        const { data } = await request("POST", "/api/v1/session/totp", { body: { code: code.input.value.trim() } });
        adopt(data);
        onDone();
      } catch (e) {
        error.replaceChildren(alertBox("error", e.message, Object.values(e.fields || {}).flat()));
      }
    },
  },
  h("h1", {}, "启用动态验证码"),
  alertBox("info", "管理员账号须启用动态验证码（身份验证器 App）后方可使用。"),
  h("p", {}, "密钥：", h("code#totp-secret", {}, started.secret)),
  h("p.hint", {}, "或在 App 中输入以下链接：", h("code", {}, started.otpauth_uri)),
  error, code.row,
  h("div.row", {}, h("button.btn", { type: "submit" }, "启用")));
  main.replaceChildren(form);
  code.input.focus();
}
