// Live progress for a running run: polls the run's progress and updates the page; reloads once it ends so
// the records list is complete. Without JavaScript the page shows the state as of its last load.
(function () {
  var run = document.getElementById("run");
  if (!run || run.dataset.finished === "true") return;
  var url = run.dataset.progressUrl;
  var bar = document.getElementById("run-progress");
  function set(name, value) {
    var el = run.querySelector('[data-field="' + name + '"]');
    if (el) el.textContent = value;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        ["status", "done", "total", "created", "updated", "skipped", "failed"].forEach(function (k) { set(k, p[k]); });
        if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.done; }
        if (p.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
