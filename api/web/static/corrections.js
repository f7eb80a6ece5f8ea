// The plan page: text selected in the document becomes a missed target's quote and span.
// Without JavaScript the add form still works (paste the quote); this only saves the copying.
(function () {
  "use strict";
  var text = document.getElementById("plan-text");
  var button = document.getElementById("add-from-selection");
  if (!text || !button) { return; }

  function offsetOf(node, offset) {
    var range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function selected() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return null; }
    var raw = range.toString();
    var quote = raw.trim();
    if (!quote || quote.length > 500) { return null; }
    var start = offsetOf(range.startContainer, range.startOffset) + (raw.length - raw.replace(/^\s+/, "").length);
    return { quote: quote, start: start };
  }

  document.addEventListener("selectionchange", function () {
    var s = selected();
    button.hidden = !s;
    if (s) {
      button.dataset.quote = s.quote;
      button.dataset.start = String(s.start);
      button.textContent = "补充为遗漏的目标:「" + (s.quote.length > 24 ? s.quote.slice(0, 24) + "…" : s.quote) + "」";
    }
  });

  button.addEventListener("click", function () {
    var url = new URL(window.location.href);
    url.search = "";
    url.searchParams.set("quote", button.dataset.quote || "");
    url.searchParams.set("start", button.dataset.start || "");
    url.hash = "add-target";
    window.location.assign(url.toString());
  });
})();
