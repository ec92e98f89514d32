/* qingshan console: drafts that survive an expired session, error fields, reply templates,
   idempotency keys, and the operator's keyboard shortcuts. No framework besides htmx. */
(function () {
  "use strict";
  var DRAFT = "qingshan-draft:";

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }
  function saveDraft(form) {
    var data = {};
    fields(form).forEach(function (el) {
      data[el.name] = el.type === "checkbox" || el.type === "radio" ? (el.checked ? el.value : data[el.name] || "") : el.value;
    });
    var key = form.querySelector("[data-idempotency]");
    if (key) data.__key = key.value;
    sessionStorage.setItem(DRAFT + form.dataset.draft, JSON.stringify(data));
  }
  function restoreDraft(form) {
    var raw = sessionStorage.getItem(DRAFT + form.dataset.draft);
    if (!raw) return;
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      if (!(el.name in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name] === el.value;
      else el.value = data[el.name];
    });
    var key = form.querySelector("[data-idempotency]");
    if (key && data.__key) key.value = data.__key;
    form.dispatchEvent(new CustomEvent("draft-restored", { bubbles: true }));
  }
  function clearDraft(form) { sessionStorage.removeItem(DRAFT + form.dataset.draft); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // A form's error slot for a refused field: the one whose name is the field's or its
  // longest prefix ("targets" for "targets.0.ref"), near the error box.
  function errorSlot(scope, name) {
    var best = null;
    scope.querySelectorAll("[data-error-for]").forEach(function (slot) {
      var f = slot.dataset.errorFor;
      if ((name === f || name.indexOf(f + ".") === 0) && (!best || f.length > best.dataset.errorFor.length)) best = slot;
    });
    return best;
  }
  function markErrors(root) {
    var box = root.querySelector ? root.querySelector("[data-error-fields]") : null;
    if (!box) return;
    document.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var scope = root.parentElement || document;
    scope.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.textContent = ""; });
    var messages = JSON.parse(box.dataset.errorMessages || "{}");
    JSON.parse(box.dataset.errorFields || "[]").forEach(function (name) {
      var slot = errorSlot(scope, name);
      if (slot) {
        slot.textContent = messages[name] || "";
        var field = slot.closest(".field, fieldset");
        var input = field && field.querySelector("input:not([type=hidden]), select, textarea");
        if (input) input.setAttribute("aria-invalid", "true");
        return;
      }
      var leaf = name.split(".").pop();
      var el = document.querySelector('[name="' + leaf + '"]');
      if (el) el.setAttribute("aria-invalid", "true");
    });
    box.setAttribute("tabindex", "-1");
    box.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A form submitted the ordinary way went through when its page is gone.
    Object.keys(sessionStorage).forEach(function (k) {
      if (k.indexOf(DRAFT + "pending:") === 0) {
        var name = k.slice((DRAFT + "pending:").length);
        if (!document.querySelector('[data-draft="' + name + '"]')) sessionStorage.removeItem(DRAFT + name);
        sessionStorage.removeItem(k);
      }
    });
    document.querySelectorAll("[data-idempotency]").forEach(function (el) { if (!el.value) el.value = newKey(); });
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      if (!form.hasAttribute("hx-post")) {
        form.addEventListener("submit", function () { sessionStorage.setItem(DRAFT + "pending:" + form.dataset.draft, "1"); });
      }
    });
    document.querySelectorAll("select[data-template-target]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var target = document.getElementById(sel.dataset.templateTarget);
        if (sel.value && target) { target.value = sel.value; target.dispatchEvent(new Event("input", { bubbles: true })); }
      });
    });
    // A rule's event picked: the attributes its conditions may name.
    document.querySelectorAll("select[data-attrs-target]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var target = document.getElementById(sel.dataset.attrsTarget);
        var option = sel.options[sel.selectedIndex];
        if (target && option) target.textContent = option.dataset.attrs || "—";
      });
    });
    var help = document.querySelector("[data-shortcuts]");
    if (help) help.addEventListener("click", function () { document.getElementById("shortcuts").showModal(); });
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    // An answer that redirects (HX-Redirect) never gets `successful` set: read the status.
    var xhr = e.detail.xhr;
    var ok = e.detail.successful || (xhr && xhr.status >= 200 && xhr.status < 300);
    if (form && form.dataset && form.dataset.draft && ok) clearDraft(form);
  });
  document.addEventListener("htmx:afterSwap", function (e) { markErrors(e.detail.target); });
  document.addEventListener("input", function (e) {
    if (e.target.getAttribute && e.target.getAttribute("aria-invalid")) {
      e.target.removeAttribute("aria-invalid");
      var field = e.target.closest(".field, fieldset");
      var slot = field && field.querySelector("[data-error-for]");
      if (slot) slot.textContent = "";
    }
  });
  document.addEventListener("htmx:sendError", function () {
    var flash = document.getElementById("flash");
    if (flash) flash.innerHTML = '<div class="alert" role="alert"><strong>网络连接失败，请检查网络后重试</strong></div>';
  });

  // Keyboard shortcuts (operator console); never while typing in a field.
  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    if (document.body.dataset.role !== "operator" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-case]"));
    var current = document.querySelector("tr[data-case].selected");
    var index = rows.indexOf(current);
    function select(i) {
      if (!rows.length) return;
      i = Math.max(0, Math.min(rows.length - 1, i));
      if (current) current.classList.remove("selected");
      rows[i].classList.add("selected");
      rows[i].querySelector("a").focus();
    }
    if (pendingG) {
      pendingG = false;
      var tabs = document.querySelectorAll("#queues a");
      var n = parseInt(e.key, 10);
      if (n >= 1 && n <= tabs.length) { location.href = tabs[n - 1].href; e.preventDefault(); }
      return;
    }
    switch (e.key) {
      case "?": document.getElementById("shortcuts").showModal(); break;
      case "n": location.href = "/intake"; break;
      case "/": var s = document.querySelector("[data-search]"); if (s) s.focus(); break;
      case "j": select(index + 1); break;
      case "k": select(index < 0 ? 0 : index - 1); break;
      case "x": if (current) { var box = current.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; } break;
      case "Enter": if (current) location.href = current.querySelector("a").href; break;
      case "g": pendingG = true; break;
      default: return;
    }
    e.preventDefault();
  });
})();
