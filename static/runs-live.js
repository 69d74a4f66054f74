// Keeps the runs list current while runs are queued or running: every two seconds the page is fetched again
// and the list replaced, until no run is left going. Without JavaScript the list is as of its last load.
(function () {
  var live = document.getElementById("runs-live");
  if (!live || live.dataset.live !== "true") return;
  function poll() {
    fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("runs-live");
        if (!fresh) return;
        live.innerHTML = fresh.innerHTML;
        live.dataset.live = fresh.dataset.live;
        if (fresh.dataset.live === "true") setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
