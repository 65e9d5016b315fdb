// xltools serve: drag and drop, upload progress, job progress (server-sent events),
// filters that apply on change, and the rules search. The pages work without it.
"use strict";

(function () {
  const READABLE = /\.(xlsx|xlsm|xls|ods|zip|csv)$/i;

  // -- drop zones: the files chosen or dropped, with their folder paths --------------------
  function setupDropzone(zone) {
    zone.chosen = [];
    const list = zone.querySelector(".chosen");
    const show = () => {
      list.innerHTML = "";
      const files = zone.chosen;
      if (!files.length) return;
      const shown = files.slice(0, 8);
      for (const item of shown) {
        const li = document.createElement("li");
        li.textContent = item.path;
        list.appendChild(li);
      }
      if (files.length > shown.length) {
        const li = document.createElement("li");
        li.textContent = "…… 共 " + files.length + " 个文件";
        list.appendChild(li);
      }
      zone.classList.add("has-files");
    };
    zone.querySelectorAll("input[type=file]").forEach((input) => {
      input.addEventListener("change", () => {
        const multiple = input.multiple;
        const picked = Array.from(input.files)
          .filter((f) => READABLE.test(f.name))
          .map((f) => ({ file: f, path: f.webkitRelativePath || f.name }));
        zone.chosen = multiple ? zone.chosen.concat(picked) : picked;
        show();
      });
    });
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", async (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      const entries = Array.from(e.dataTransfer.items || [])
        .map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry())
        .filter(Boolean);
      let found = [];
      if (entries.length) {
        for (const entry of entries) found = found.concat(await walk(entry, ""));
      } else {
        found = Array.from(e.dataTransfer.files).map((f) => ({ file: f, path: f.name }));
      }
      zone.chosen = zone.chosen.concat(found.filter((x) => READABLE.test(x.path)));
      show();
    });
  }

  function walk(entry, prefix) {
    return new Promise((resolve) => {
      if (entry.isFile) {
        entry.file((f) => resolve([{ file: f, path: prefix + f.name }]), () => resolve([]));
        return;
      }
      const reader = entry.createReader();
      let all = [];
      const next = () =>
        reader.readEntries(async (batch) => {
          if (!batch.length) {
            resolve(all);
            return;
          }
          for (const child of batch) all = all.concat(await walk(child, prefix + entry.name + "/"));
          next();
        }, () => resolve(all));
      next();
    });
  }

  // -- upload forms: the CSRF token first, then the fields, then the files ----------------
  function setupUploadForm(form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData();
      data.append("csrf", form.querySelector("input[name=csrf]").value);
      form.querySelectorAll("input, select, textarea").forEach((el) => {
        if (!el.name || el.name === "csrf" || el.type === "file") return;
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        data.append(el.name, el.value);
      });
      let count = 0;
      form.querySelectorAll(".dropzone").forEach((zone) => {
        for (const item of zone.chosen) {
          data.append(zone.dataset.field, item.file, item.path);
          count += 1;
        }
      });
      const error = form.querySelector(".form-error");
      if (!count) {
        error.textContent = "请先选择或拖入要上传的文件。";
        error.hidden = false;
        return;
      }
      error.hidden = true;
      const sending = form.querySelector(".sending");
      const bar = sending.querySelector("progress");
      const text = sending.querySelector(".sending-text");
      sending.hidden = false;
      form.querySelector("button[type=submit]").disabled = true;
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (ev) => {
        if (!ev.lengthComputable) return;
        const pct = Math.round((100 * ev.loaded) / ev.total);
        bar.value = pct;
        text.textContent = pct < 100 ? "正在上传 " + count + " 个文件… " + pct + "%" : "正在处理…";
      };
      xhr.onload = () => {
        let answer = {};
        try {
          answer = JSON.parse(xhr.responseText);
        } catch (err) {
          answer = { error: xhr.responseText || "上传失败（" + xhr.status + "）" };
        }
        if (answer.url) {
          window.location.assign(answer.url);
          return;
        }
        sending.hidden = true;
        form.querySelector("button[type=submit]").disabled = false;
        error.textContent = answer.error || "上传失败，请重试。";
        error.hidden = false;
      };
      xhr.onerror = () => {
        sending.hidden = true;
        form.querySelector("button[type=submit]").disabled = false;
        error.textContent = "无法连接到 xltools，请确认它仍在运行。";
        error.hidden = false;
      };
      xhr.send(data);
    });
  }

  // -- a running job: its progress from the server, then the results -------------------------
  function follow(card) {
    const bar = card.querySelector("progress");
    const done = card.querySelector(".done");
    const total = card.querySelector(".total");
    const events = new EventSource(card.dataset.events);
    events.onmessage = (ev) => {
      const s = JSON.parse(ev.data);
      bar.max = s.total || 1;
      bar.value = s.done;
      done.textContent = s.done;
      total.textContent = s.total;
      if (s.state !== "running") {
        events.close();
        window.location.reload();
      }
    };
    events.onerror = () => {
      events.close();
      setTimeout(() => window.location.reload(), 1500);
    };
  }

  // -- filters and search ------------------------------------------------------------------
  function setupFilter(form) {
    form.querySelectorAll("input, select").forEach((el) =>
      el.addEventListener("change", () => form.submit())
    );
  }

  function setupSearch(input) {
    const rows = () => document.querySelectorAll(input.dataset.filter);
    input.addEventListener("input", () => {
      const q = input.value.trim().toLowerCase();
      rows().forEach((row) => {
        row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
      });
      document.querySelectorAll(".rules-group").forEach((group) => {
        group.hidden = !group.querySelector("tbody tr:not([hidden])");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".dropzone").forEach(setupDropzone);
    document.querySelectorAll("form.upload-form").forEach(setupUploadForm);
    document.querySelectorAll("[data-events]").forEach(follow);
    document.querySelectorAll("form[data-autosubmit]").forEach(setupFilter);
    document.querySelectorAll("input[data-filter]").forEach(setupSearch);
  });
})();
