// City staff with the `admin` flag manage the district offices' accounts (#19): the list,
// a new account (its initial password is changed at first sign-in) and disabling or enabling
// one (a disabled clerk's tokens are refused by every service at once).

import { get, post } from "../api.js";
import { alertBox, badge, dataTable, h, toast } from "../ui.js";

function accountRow(view, account, reload) {
  const action = account.enabled ? "disable" : "enable";
  const text = account.enabled ? "停用" : "启用";
  return h("button.btn.btn-ghost.btn-small", {
    type: "button",
    onclick: async () => {
      if (account.enabled && !confirm(`停用 ${account.name}（${account.username}）？其登录将立即失效。`)) return;
      try {
        await post(`/api/v1/accounts/${account.person_id}/${action}`);
        toast(`已${text}：${account.name}`);
        reload();
      } catch (e) {
        toast(e.message, "error");
      }
    },
  }, text);
}

export async function accounts(view) {
  const main = document.getElementById("main");
  const list = h("div");
  const error = h("div", { "aria-live": "assertive" });
  const input = (id, label, attrs = {}) => {
    const el = h("input", { id, name: id, ...attrs });
    return [el, h("div.field", {}, h("label", { for: id }, label), el)];
  };
  const [username, usernameRow] = input("new-username", "用户名", { required: true, autocapitalize: "none", spellcheck: "false" });
  const [name, nameRow] = input("new-name", "姓名", { required: true });
  const [phone, phoneRow] = input("new-phone", "电话");
  const [district, districtRow] = input("new-district", "区县", { required: true, placeholder: "如 巴州区" });
  const [password, passwordRow] = input("new-initial-password", "初始密码", { required: true, type: "password", autocomplete: "new-password", minlength: "10" });

  async function reload() {
    const { items } = await get("/api/v1/accounts");
    if (view.gone) return;
    list.replaceChildren(dataTable([
      { label: "姓名", cell: (a) => a.name },
      { label: "用户名", cell: (a) => a.username },
      { label: "区县", cell: (a) => a.district || "" },
      { label: "电话", cell: (a) => a.phone || "" },
      { label: "状态", cell: (a) => (a.enabled ? badge("ok", "启用") : badge("withdrawn", "已停用")) },
      { label: "", cell: (a) => accountRow(view, a, reload) },
    ], items, { caption: "区县科协账号", empty: "还没有区县科协账号" }));
  }

  const form = h("form.panel", {
    onsubmit: async (event) => {
      event.preventDefault();
      error.replaceChildren();
      try {
        const made = await post("/api/v1/accounts", {
          username: username.value.trim(), name: name.value.trim(), phone: phone.value.trim(),
          role: "office", district: district.value.trim(), password: password.value,
        });
        form.reset();
        toast(`已开设：${made.name}（${made.username}）`);
        await reload();
      } catch (e) {
        error.replaceChildren(alertBox("error", e.message, Object.values(e.fields || {}).flat()));
      }
    },
  },
  h("h2", {}, "开设区县科协账号"),
  h("p.hint", {}, "初始密码请另行告知本人；首次登录须修改。"),
  error, usernameRow, nameRow, phoneRow, districtRow, passwordRow,
  h("div.row", {}, h("button.btn", { type: "submit" }, "开设账号")));

  main.replaceChildren(h("h1", {}, "账号管理"), h("section.panel", {}, list), form);
  await reload();
}
