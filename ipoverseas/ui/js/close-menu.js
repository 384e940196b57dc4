// On a phone the sidebar (the menu) lies over the page; Streamlit leaves it open after a page is
// chosen. Below its mobile breakpoint, close it once the new page starts (ipoverseas/ui/shell.py).
(function () {
  if (window.innerWidth >= 768) return;
  var close = function () {
    var button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button && button.getAttribute("aria-expanded") === "true") button.click();
  };
  setTimeout(close, 100);
})();
