/* docgen workspace: small progressive enhancements. Every form also works without this file. */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;
  var dirty = false;
  var state = document.getElementById("save-state");
  var panel = document.getElementById("preview");

  function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function dashed(name) { return name.replace(/[^0-9A-Za-z_]/g, "-"); }

  /* ---------------------------------------------------------------- repeatable groups */

  var ATTRIBUTES = ["name", "id", "for", "aria-describedby", "data-cond-name", "data-array", "value"];

  // Rename one array item's fields from index `from` to `to` (also inside nested templates).
  function renameIn(root, arrayName, from, to) {
    var dotted = new RegExp("(^|\\s)" + escapeRe(arrayName + "." + from) + "(?=[.~]|$|\\s)", "g");
    var ids = new RegExp("(^|\\s)" + escapeRe("f-" + dashed(arrayName) + "-" + from) + "(?=-|$|\\s)", "g");
    var elements = root.querySelectorAll ? root.querySelectorAll("*") : [];
    var all = [root].concat(Array.prototype.slice.call(elements));
    all.forEach(function (el) {
      if (!el.getAttribute) return;
      ATTRIBUTES.forEach(function (attribute) {
        var value = el.getAttribute(attribute);
        if (value === null) return;
        if (attribute === "value" && el.tagName !== "BUTTON") return;
        var renamed = value.replace(dotted, "$1" + arrayName + "." + to).replace(ids, "$1f-" + dashed(arrayName) + "-" + to);
        if (renamed !== value) el.setAttribute(attribute, renamed);
      });
      if (el.tagName === "TEMPLATE") renameIn(el.content, arrayName, from, to);
    });
  }

  function renumber(list, arrayName) {
    var items = Array.prototype.filter.call(list.children, function (li) { return li.classList.contains("item"); });
    items.forEach(function (li, position) {
      var old = li.getAttribute("data-index");
      if (String(position) !== old) {
        renameIn(li, arrayName, old, String(position));
        li.setAttribute("data-index", String(position));
      }
      var number = li.querySelector(".item-number .n");
      if (number) number.textContent = String(position + 1);
    });
    var fieldset = list.parentElement;
    var add = fieldset.querySelector(":scope > [data-add]");
    var max = parseInt(fieldset.getAttribute("data-max") || "0", 10);
    if (add) add.disabled = max > 0 && items.length >= max;
  }

  function arrayOf(element) {
    var fieldset = element.closest("fieldset.array");
    return { fieldset: fieldset, name: fieldset.getAttribute("data-array"), list: fieldset.querySelector(":scope > .items") };
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    if (button.hasAttribute("data-add")) {
      event.preventDefault();
      var array = arrayOf(button);
      var template = array.fieldset.querySelector(":scope > template");
      var index = array.list.querySelectorAll(":scope > .item").length;
      var fragment = template.content.cloneNode(true);
      renameIn(fragment, array.name, "__i__", String(index));
      var item = fragment.querySelector(".item");
      item.setAttribute("data-index", String(index));
      array.list.appendChild(fragment);
      renumber(array.list, array.name);
      applyConditions();
      var first = item.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      dirty = true;
    } else if (button.hasAttribute("data-remove") || button.hasAttribute("data-move")) {
      event.preventDefault();
      var li = button.closest(".item");
      var target = arrayOf(li);
      if (button.hasAttribute("data-remove")) {
        li.remove();
      } else if (button.getAttribute("data-move") === "up" && li.previousElementSibling) {
        target.list.insertBefore(li, li.previousElementSibling);
      } else if (button.getAttribute("data-move") === "down" && li.nextElementSibling) {
        target.list.insertBefore(li.nextElementSibling, li);
      }
      renumber(target.list, target.name);
      button.focus();
      dirty = true;
    } else if (button.hasAttribute("data-preview")) {
      event.preventDefault();
      preview();
    } else if (button.hasAttribute("data-issue")) {
      if (!window.confirm("制发后将分配正式文号，不能撤回（只能作废）。确认制发？")) event.preventDefault();
    } else if (button.hasAttribute("data-confirm-sample") && dirty) {
      if (!window.confirm("填入示例将替换当前填写的内容（已保存的草稿内容也会被替换），确认？")) event.preventDefault();
    }
  });

  /* ---------------------------------------------------------------- fields shown only for one choice */

  function applyConditions() {
    form.querySelectorAll("[data-cond-name]").forEach(function (el) {
      var control = form.querySelector('[name="' + el.getAttribute("data-cond-name").replace(/"/g, '\\"') + '"]:not([type=hidden])');
      if (!control) return;
      var equal = control.value === el.getAttribute("data-cond-value");
      el.hidden = equal !== (el.getAttribute("data-cond-shown") === "1");
    });
  }

  /* ---------------------------------------------------------------- the issuer's 机关代字 */

  var codes = {};
  try { codes = JSON.parse(form.getAttribute("data-codes") || "{}"); } catch (e) { codes = {}; }
  function updateCodes() {
    var issuer = form.querySelector('select[name="issuer.name"]');
    var code = form.querySelector('select[name="doc_number.organ_code"]');
    if (!issuer || !code || !codes[issuer.value]) return;
    var current = code.value;
    var wanted = codes[issuer.value];
    while (code.options.length) code.remove(0);
    wanted.forEach(function (value) { code.add(new Option(value, value, false, value === current)); });
  }

  form.addEventListener("change", function (event) {
    applyConditions();
    if (event.target.name === "issuer.name") updateCodes();
  });
  form.addEventListener("input", function () { dirty = true; });

  /* ---------------------------------------------------------------- preview and autosave */

  function post(action) {
    var data = new FormData(form);
    data.set("action", action);
    // form.action would be the buttons named "action": read the attribute.
    return fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin",
                                                headers: { "X-Docgen-Fetch": "1" } });
  }

  function remember(response) {
    var draft = response.headers.get("X-Docgen-Draft");
    if (draft) form.querySelector('[name="draft_id"]').value = draft;
  }

  function signedOut(body) {
    var banner = document.getElementById("signed-out") || document.createElement("p");
    banner.id = "signed-out";
    banner.className = "alert";
    banner.setAttribute("role", "alert");
    banner.innerHTML = "";
    banner.appendChild(document.createTextNode(body.message + " "));
    var link = document.createElement("a");
    link.href = body.login;
    link.textContent = "重新登录";
    banner.appendChild(link);
    form.insertBefore(banner, form.querySelector(".toolbar").nextSibling);
  }

  function preview() {
    panel.classList.add("busy");
    panel.setAttribute("aria-busy", "true");
    post("preview").then(function (response) {
      remember(response);
      if (response.status === 401) return response.json().then(signedOut);
      if (response.status === 422) {  // errors belong beside their fields: let the server show the whole form
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "action"; hidden.value = "preview";
        form.appendChild(hidden);
        form.submit();
        return;
      }
      return response.text().then(function (html) { panel.innerHTML = html; dirty = false; setState("草稿已保存"); });
    }).catch(function () {
      panel.insertAdjacentHTML("afterbegin", '<p class="alert">预览失败：无法连接服务器，请稍后再试。</p>');
    }).finally(function () {
      panel.classList.remove("busy");
      panel.removeAttribute("aria-busy");
    });
  }

  function setState(text) { if (state) state.textContent = text; }

  function autosave() {
    if (!dirty) return;
    dirty = false;
    post("autosave").then(function (response) {
      remember(response);
      return response.json().then(function (body) {
        if (response.status === 401) { signedOut(body); return; }
        if (body.draft_id) form.querySelector('[name="draft_id"]').value = body.draft_id;
        setState("已自动保存 " + body.saved_at);
      });
    }).catch(function () { dirty = true; setState("自动保存失败，稍后重试"); });
  }

  var every = parseInt(form.getAttribute("data-autosave") || "0", 10);
  if (every > 0) window.setInterval(autosave, every * 1000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") autosave(); });

  /* ---------------------------------------------------------------- start */

  form.querySelectorAll("fieldset.array > .items").forEach(function (list) {
    renumber(list, list.parentElement.getAttribute("data-array"));
  });
  applyConditions();
  var anchor = form.getAttribute("data-anchor");
  if (anchor) {
    var spot = document.getElementById("f-" + dashed(anchor) + "-item") || document.getElementById("f-" + dashed(anchor));
    if (spot) spot.scrollIntoView({ block: "center" });
  }
  var firstError = form.querySelector(".invalid input, .invalid select, .invalid textarea");
  if (firstError) firstError.focus();
})();

/* Monthly disclosure: a batch's live progress, and copying the reminder list. Both pages also work without this. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- batch progress (status.json every second) */

  var live = document.getElementById("batch-live");
  if (live && !live.hasAttribute("data-finished")) {
    var url = live.getAttribute("data-poll");
    var shown = null;
    var failures = 0;
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.redirected) { window.location.reload(); return null; }  // signed out: the page leads to the sign-in
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (body) {
          if (!body) return;
          failures = 0;
          if (body.html !== shown) { live.innerHTML = body.html; shown = body.html; }
          if (body.finished) { live.setAttribute("data-finished", "1"); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () {  // the server is away for a moment: try again, less often
          failures += 1;
          window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
        });
    };
    window.setTimeout(poll, 1000);
  }

  /* ---------------------------------------------------------------- copy the reminder list */

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var state = document.getElementById("copy-state");
    if (!source) return;
    button.hidden = false;
    function say(text) { if (state) state.textContent = text; }
    function selectAndCopy() {  // plain http on the intranet has no navigator.clipboard
      source.focus();
      source.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(copied ? "已复制到剪贴板" : "名单已选中，请按 Ctrl+C 复制");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(function () { say("已复制到剪贴板"); }, selectAndCopy);
      } else {
        selectAndCopy();
      }
    });
  });
})();
