// The form's behaviour: skip logic, choice limits, checks and sending. It needs `makeS` (the
// expression runtime) and `RULES` (compiled relevant/constraint functions) defined before it.
// The checks mirror survey/collect/validation.py, which the server applies again.
(function () {
  "use strict";
  const spec = JSON.parse(document.getElementById("survey-spec").textContent);
  const form = document.getElementById("survey-form");
  const statusLine = document.getElementById("status");
  const byName = {};
  spec.questions.forEach((q) => { byName[q.name] = q; });
  const isSet = (q) => q.type === "multi" || q.type === "rank";
  const fmtLimit = (v) => (typeof v === "number" ? String(v) : v);
  let lang = spec.language;
  let attempted = false;
  let lastErrors = {};
  let serverErrors = {};
  const touched = new Set();
  let submissionId = newId();

  function newId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function msg(key, params) {
    let text = spec.messages[lang][key];
    Object.keys(params || {}).forEach((k) => { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }

  const optionEl = (name, code) => document.getElementById("q-" + name + "-" + code);
  const codeOf = (q, raw) => q.codes.find((c) => String(c) === raw);
  const otherEl = (q) => (q.other === null ? null : document.getElementById(q.name + "__" + q.other + "_text"));

  // One variable's answer: a code, a list of codes, a number, a string, null (none) or NaN (bad).
  function read(q, name) {
    if (q.type === "single" || q.type === "scale" || q.type === "grid") {
      const el = form.querySelector('input[name="' + name + '"]:checked');
      return el ? codeOf(q, el.value) : null;
    }
    if (q.type === "multi") {
      const chosen = q.codes.filter((c) => optionEl(name, c).checked);
      return chosen.length ? chosen : null;
    }
    if (q.type === "rank") {
      const picks = q.codes.map((c) => [Number(optionEl(name, c).value || 0), c]).filter((p) => p[0] > 0);
      picks.sort((a, b) => a[0] - b[0]);
      return picks.length ? picks.map((p) => p[1]) : null;
    }
    const el = document.getElementById("q-" + name);
    if (q.type === "number") {
      if (el.validity && el.validity.badInput) return NaN;
      return el.value.trim() === "" ? null : Number(el.value);
    }
    return el.value === "" ? null : el.value;
  }

  // The problem with one present answer, or null. Mirrors validation._check_value.
  function check(q, name, v) {
    if (q.type === "number") {
      if (typeof v !== "number" || !isFinite(v)) return msg("number");
      if (q.integer && !Number.isInteger(v)) return msg("integer");
      return range(q, v, "");
    }
    if (q.type === "date") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return msg("date");
      return range(q, v, "date_");
    }
    if (q.type === "text") return q.max_length && v.length > q.max_length ? msg("too_long", { n: q.max_length }) : null;
    if (!isSet(q)) return null;
    if (q.type === "rank") {
      const positions = q.codes.map((c) => Number(optionEl(name, c).value || 0)).filter((p) => p > 0);
      positions.sort((a, b) => a - b);
      if (positions.some((p, i) => p !== i + 1)) return msg("rank_gap");
    }
    if (q.min_choices !== null && v.length < q.min_choices) return msg("too_few", { n: q.min_choices });
    if (q.max_choices !== null && v.length > q.max_choices) return msg("too_many", { n: q.max_choices });
    if (v.length > 1 && v.some((c) => q.exclusive.includes(c))) return msg("exclusive");
    return null;
  }

  function range(q, v, prefix) {
    const low = q.min, high = q.max, params = { min: fmtLimit(low), max: fmtLimit(high) };
    if ((low !== null && v < low) || (high !== null && v > high)) {
      if (low !== null && high !== null) return msg(prefix ? "date_range" : "range", params);
      return msg(low !== null ? prefix + "min" : prefix + "max", params);
    }
    return null;
  }

  // Walk the questions in order: show or hide each, collect answers, find problems.
  function evaluate() {
    const values = {}, multi = {}, answers = {}, errors = {};
    spec.questions.forEach((q) => {
      (q.type === "grid" ? q.items : [q.name]).forEach((n) => { if (isSet(q)) multi[n] = null; else values[n] = null; });
    });
    for (const q of spec.questions) {
      const rule = RULES[q.name] || {};
      const shown = !rule.relevant || rule.relevant(makeS(values, multi));
      document.getElementById("block-" + q.name).hidden = !shown;
      if (!shown || q.type === "note") continue;
      let error = null, given = false;
      for (const name of q.type === "grid" ? q.items : [q.name]) {
        const v = read(q, name);
        if (v === null) { if (q.required) error = error || msg("required"); continue; }
        const bad = check(q, name, v);
        if (bad) { error = error || bad; continue; }
        (isSet(q) ? multi : values)[name] = v;
        answers[name] = v;
        given = true;
      }
      const other = otherEl(q);
      if (other) {
        const chosen = answers[q.name] !== undefined && [].concat(answers[q.name]).includes(q.other);
        other.hidden = !chosen;
        if (chosen && other.value.trim() !== "") answers[other.name] = other.value;
      }
      if (!error && given && rule.constraint && !rule.constraint(makeS(values, multi))) {
        error = q.constraint_message ? (q.constraint_message[lang] || Object.values(q.constraint_message)[0]) : msg("constraint");
      }
      if (error) errors[q.name] = error;
    }
    lastErrors = errors;
    return { answers, errors };
  }

  function showErrors() {
    for (const q of spec.questions) {
      if (q.type === "note") continue;
      const text = serverErrors[q.name] || ((attempted || touched.has(q.name)) ? lastErrors[q.name] : null);
      const box = document.getElementById("error-" + q.name);
      box.textContent = text || "";
      box.hidden = !text;
      document.getElementById("block-" + q.name).querySelectorAll("input, select, textarea").forEach((el) => {
        if (text) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
      });
    }
  }

  function refresh() {
    const result = evaluate();
    showErrors();
    return result;
  }

  // Exclusive options clear the others (and the reverse); at max_choices the rest are disabled.
  function enforceMulti(q, changed) {
    const code = codeOf(q, changed.value);
    if (changed.checked) {
      q.codes.forEach((c) => {
        const el = optionEl(q.name, c);
        if (c !== code && (q.exclusive.includes(code) || q.exclusive.includes(c))) el.checked = false;
      });
    }
    const count = q.codes.filter((c) => optionEl(q.name, c).checked).length;
    q.codes.forEach((c) => {
      const el = optionEl(q.name, c);
      el.disabled = q.max_choices !== null && count >= q.max_choices && !el.checked && !q.exclusive.includes(c);
    });
  }

  // A position already given to another option moves to the option that had this one's (swap).
  function enforceRank(q, changed) {
    const previous = changed.dataset.previous || "";
    if (changed.value) {
      q.codes.forEach((c) => {
        const el = optionEl(q.name, c);
        if (el !== changed && el.value === changed.value) { el.value = previous; el.dataset.previous = previous; }
      });
    }
    changed.dataset.previous = changed.value;
  }

  form.addEventListener("change", (event) => {
    const name = event.target.dataset.q;
    if (!name) return;
    const q = byName[name];
    if (q.type === "multi" && event.target.type === "checkbox") enforceMulti(q, event.target);
    if (q.type === "rank" && event.target.tagName === "SELECT") enforceRank(q, event.target);
    touched.add(name);
    delete serverErrors[name];
    refresh();
  });
  form.addEventListener("input", () => { evaluate(); });

  function setLanguage(value) {
    lang = value;
    document.documentElement.lang = value;
    document.documentElement.dataset.lang = value;
    document.title = spec.titles[value];
    refresh();
    if (statusLine.dataset.key) statusLine.textContent = msg(statusLine.dataset.key, JSON.parse(statusLine.dataset.params));
  }
  const switcher = document.getElementById("language-switch");
  if (switcher) switcher.addEventListener("change", () => setLanguage(switcher.value));

  function say(key, params) {
    statusLine.dataset.key = key;
    statusLine.dataset.params = JSON.stringify(params || {});
    statusLine.textContent = msg(key, params);
  }

  // Check everything; on problems, say how many and move the focus to the first.
  function ready() {
    attempted = true;
    const result = refresh();
    const names = Object.keys(result.errors).concat(Object.keys(serverErrors));
    if (!names.length) return result.answers;
    say("fix", { n: new Set(names).size });
    const first = spec.questions.find((q) => names.includes(q.name));
    const target = document.getElementById("block-" + first.name).querySelector("input:not([disabled]), select, textarea");
    if (target) target.focus();
    return null;
  }

  function payload(answers) {
    return { submission_id: submissionId, questionnaire_id: spec.id, questionnaire_version: spec.version,
             language: lang, answers: answers };
  }

  function download(data) {
    const blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = spec.id + "-" + data.submission_id + ".json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    say("saved");
  }

  document.getElementById("save").addEventListener("click", () => {
    const answers = ready();
    if (answers) download(payload(answers));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = ready();
    if (!answers) return;
    if (!spec.post) { download(payload(answers)); return; }
    const button = document.getElementById("submit");
    button.disabled = true;
    say("sending");
    try {
      const response = await fetch(spec.post, { method: "POST", headers: { "Content-Type": "application/json" },
                                                body: JSON.stringify(payload(answers)), credentials: "omit" });
      if (response.status === 201) { finished(); return; }
      if (response.status === 422) {
        const body = await response.json();
        body.problems.forEach((p) => {
          const owner = spec.questions.find((q) => q.name === p.question || q.items.includes(p.question));
          if (owner) serverErrors[owner.name] = p.message;
        });
        showErrors();
        say("refused");
        statusLine.textContent += " " + body.problems.map((p) => p.message).join("; ");
      } else {
        say("failed");
      }
    } catch (error) {
      say("failed");
    } finally {
      button.disabled = false;
    }
  });

  function finished() {
    form.hidden = true;
    const done = document.getElementById("done");
    done.hidden = false;
    done.focus();
  }

  document.getElementById("new-response").addEventListener("click", () => {
    form.reset();
    form.querySelectorAll("input, select").forEach((el) => { el.disabled = false; delete el.dataset.previous; });
    submissionId = newId();
    attempted = false;
    touched.clear();
    serverErrors = {};
    say("new");
    statusLine.textContent = "";
    document.getElementById("done").hidden = true;
    form.hidden = false;
    refresh();
    window.scrollTo(0, 0);
  });

  refresh();
})();
