// POST this element's data-body to its data-path, one of the session routes (ipoverseas/ui/login.py).
(function () {
  var me = document.currentScript;
  var path = me && me.dataset.path;
  if (!path || !/\/session\/(claim|forget)$/.test(path)) return;
  fetch(path, {method: "POST", credentials: "same-origin", headers: {"Content-Type": "text/plain"},
               body: me.dataset.body || ""});
})();
