// The console's entry point: sign-in, the top bar, and a small hash router. Views get a
// `view` object whose `every(ms, fn)` timers stop when the user navigates away; they render
// once intake's catalog (the vocabulary and the receipt form) is loaded.

import { clearToken, decodeToken, get, getToken, setToken, whenUnauthorized } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { ROLES } from "./labels.js";
import { alertBox, h, toast } from "./ui.js";
import { editor } from "./office/editor.js";
import { entries as officeEntries } from "./office/list.js";
import { chooseCategory } from "./office/new-entry.js";
import { entries as staffEntries } from "./staff/entries.js";
import { entry as staffEntry } from "./staff/entry.js";
import { summary } from "./staff/summary.js";
// Notices, return for revision and extensions (#16 items 5, 6).
import { keepUnreadFresh, noticeLink, notices } from "./notices.js";
import { extensions } from "./staff/extensions.js";
import { batches as officeBatches } from "./office/batches.js";
import { batches as staffBatches } from "./staff/batches.js";
// 推荐省级: the ranked list and the province's downloads.
import { recommendations } from "./staff/recommend.js";
// Signing in with a password (#19): session.js; the token screen below is for service accounts.
import { passwordPage, person, refresh, resume, signInPage, signOut } from "./session.js";
import { accounts } from "./staff/accounts.js";
// 供需对接 (matching)
import { matching } from "./staff/matching.js";

const main = document.getElementById("main");
let current = null; // the view on screen: {timers, gone}

const ROUTES = {
  office: [
    [/^#\/entries\/?$/, (v) => officeEntries(v)],
    [/^#\/entries\/new\/?$/, (v) => chooseCategory(v)],
    [/^#\/entries\/new\/(\w+)(?:\?call=([^&]+))?$/, (v, m) => editor(v, { category: m[1], callId: m[2] && decodeURIComponent(m[2]) })],
    [/^#\/entries\/([\w-]+)$/, (v, m) => editor(v, { id: m[1] })],
    [/^#\/notices\/?$/, (v) => notices(v)],
  ],
  staff: [
    [/^#\/summary\/?$/, (v) => summary(v)],
    [/^#\/list\/?(\?.*)?$/, (v) => staffEntries(v)],
    [/^#\/entry\/([\w-]+)$/, (v, m) => staffEntry(v, m[1])],
    [/^#\/notices\/?$/, (v) => notices(v)],
    [/^#\/extensions\/?$/, (v) => extensions(v)],
    [/^#\/recommendations\/?$/, (v) => recommendations(v)],
    [/^#\/matching\/?$/, (v) => matching(v)], // 供需对接
  ],
};
const HOME = { office: "#/entries", staff: "#/summary" };
const NAV = {
  office: [["#/entries", "本区项目"], ["#/entries/new", "新建项目"]],
  staff: [["#/summary", "汇总看板"], ["#/list", "项目列表"], ["#/matching", "供需对接"], ["#/extensions", "逾期补交"], ["#/recommendations", "推荐名单"]],
};

// The district's batches (汇总报送): the office sends and lists its own, staff list all.
ROUTES.office.push([/^#\/batches\/?$/, (v) => officeBatches(v)]);
ROUTES.staff.push([/^#\/batches\/?$/, (v) => staffBatches(v)]);
NAV.office.push(["#/batches", "报送批次"]);
NAV.staff.push(["#/batches", "报送批次"]);

function session() {
  const token = getToken();
  if (!token) return null;
  try {
    return decodeToken(token);
  } catch {
    clearToken();
    return null;
  }
}

function leave() {
  if (!current) return;
  current.gone = true;
  current.timers.forEach(clearInterval);
  current = null;
}

function newView(who) {
  leave();
  const view = {
    who,
    timers: [],
    gone: false,
    every(ms, fn) {
      this.timers.push(setInterval(() => !this.gone && fn(), ms));
    },
  };
  current = view;
  return view;
}

async function route() {
  const who = session() || (await resume());
  if (!who) return signIn();
  const routes = who.admin ? [...ROUTES[who.role], ADMIN_ROUTE] : ROUTES[who.role];
  if (!routes) {
    clearToken();
    return signIn("此控制台供区县科协和市科协使用；运维人员请使用命令行工具 kechuang。");
  }
  showTopbar(who);
  const hash = location.hash || HOME[who.role];
  for (const [pattern, render] of routes) {
    const m = pattern.exec(hash);
    if (m) {
      const view = newView(who);
      main.replaceChildren();
      try {
        await loadCatalog(); // once: the vocabulary and the receipt form every view shows
        // A second route() (a sign-in's hashchange) may have started while this one waited:
        // only the latest view renders, into an empty page.
        if (view.gone) return;
        main.replaceChildren();
        await render(view, m);
      } catch (error) {
        if (!view.gone) main.replaceChildren(alertBox("error", error.message || "页面加载失败"));
      }
      main.focus({ preventScroll: true });
      return;
    }
  }
  location.replace(HOME[who.role]);
}

function showTopbar(who) {
  document.getElementById("topbar").hidden = false;
  const nav = document.getElementById("nav");
  const hash = location.hash || HOME[who.role];
  nav.replaceChildren(
    ...(who.admin ? [...NAV[who.role], ADMIN_NAV] : NAV[who.role]).map(([href, text]) => h("a", { href, "aria-current": isCurrent(href, hash) ? "page" : null }, text)),
    noticeLink(hash.startsWith("#/notices")), // 通知 with its unread badge
  );
  keepUnreadFresh();
  document.getElementById("who").textContent =
    `${who.name ? who.name + " · " : ""}${ROLES[who.role] || who.role}${who.district ? " · " + who.district : ""}`;
  const change = document.getElementById("change-password");
  change.hidden = !who.sid; // a person's own password; service tokens have none
}

// --- signing in with a password (session.js); admins' accounts page (staff/accounts.js) ----
const ADMIN_ROUTE = [/^#\/accounts\/?$/, (v) => accounts(v)];
const ADMIN_NAV = ["#/accounts", "账号管理"];

function signIn(notice) {
  leave();
  document.getElementById("topbar").hidden = true;
  signInPage(main, {
    notice,
    tokenForm: () => tokenSignIn(notice),
    onSignedIn: (p) => {
      toast(`已登录：${p.name}`);
      if (location.hash === HOME[p.role] || !location.hash) route();
      location.hash = HOME[p.role] || "";
    },
  });
}

document.getElementById("change-password").addEventListener("click", () => {
  leave();
  passwordPage(main, {
    onDone: () => {
      toast("密码已修改");
      route();
    },
  });
});
// ---------------------------------------------------------------------------------------------

function isCurrent(href, hash) {
  if (hash === href) return true;
  if (href === "#/entries") return hash.startsWith("#/entries/") && !hash.startsWith("#/entries/new");
  if (href === "#/entries/new") return hash.startsWith("#/entries/new/");
  if (href === "#/list") return hash.startsWith("#/entry/") || hash.startsWith("#/list?");
  return false;
}

function tokenSignIn(notice) {
  leave();
  document.getElementById("topbar").hidden = true;
  const error = h("div", { "aria-live": "assertive" });
  const input = h("textarea", {
    id: "token",
    name: "token",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "token-hint",
  });
  const form = h(
    "form.panel.signin",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.replaceChildren();
        const token = input.value.trim();
        let who;
        try {
          who = decodeToken(token);
        } catch (e) {
          error.replaceChildren(alertBox("error", e.message));
          return;
        }
        if (!ROUTES[who.role]) {
          error.replaceChildren(alertBox("error", "此控制台供区县科协和市科协使用；运维人员请使用命令行工具 kechuang。"));
          return;
        }
        setToken(token);
        try {
          await get("/api/v1/submissions?per_page=1"); // the services accept the token
        } catch (e) {
          clearToken();
          error.replaceChildren(alertBox("error", e.message));
          return;
        }
        input.value = "";
        toast(`已登录：${ROLES[who.role]}${who.district ? " · " + who.district : ""}`);
        if (location.hash === HOME[who.role] || !location.hash) route();
        location.hash = HOME[who.role];
      },
    },
    h("div.row", {}, h("span.brand-mark", { "aria-hidden": "true" }, "科"), h("h1", { style: "margin:0" }, "科创项目征集 · 管理控制台")),
    h("p.muted", {}, "区县科协在此填报、提交项目并上传材料；市科协在此查看汇总、审核和遴选。"),
    notice ? alertBox("info", notice) : null,
    error,
    h("label", { for: "token" }, "访问令牌"),
    input,
    h("p.hint", { id: "token-hint" }, "服务账号：请粘贴运维人员用 kechuang token 签发的令牌。令牌只保存在本浏览器标签页中，关闭标签页即失效。"),
    h("div.row", {}, h("button.btn", { type: "submit" }, "登录"),
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); signIn(notice); } }, "使用用户名和密码登录")),
  );
  main.replaceChildren(form);
  input.focus();
}

document.getElementById("signout").addEventListener("click", async () => {
  await signOut();
  leave();
  history.replaceState(null, "", location.pathname);
  signIn("已退出登录。");
});

whenUnauthorized(async () => {
  if (person()) {
    // A person's access token lapsed (or was revoked): try the refresh cookie once.
    try {
      await refresh();
      return route();
    } catch {
      /* signed out below */
    }
  }
  await signOut();
  signIn("登录已失效（令牌无效、已过期或已被撤销），请重新登录。");
});

window.addEventListener("hashchange", route);
route();
