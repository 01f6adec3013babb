// Let the long CamelCase names of the side tables of contents break between words
// (`ChatCompletionChunk` / `DeltaToolCall`) instead of anywhere: a <wbr> before each
// capital that follows a lower-case letter. The text, and what a copy gives, is unchanged.
function chatchunkBreakNames() {
  document.querySelectorAll(".md-nav__link .md-ellipsis").forEach(function (label) {
    label.childNodes.forEach(function (node) {
      if (node.nodeType !== Node.TEXT_NODE || !/[a-z][A-Z]/.test(node.textContent)) {
        return;
      }
      var parts = node.textContent.split(/(?<=[a-z])(?=[A-Z])/);
      var fragment = document.createDocumentFragment();
      parts.forEach(function (part, i) {
        if (i > 0) {
          fragment.appendChild(document.createElement("wbr"));
        }
        fragment.appendChild(document.createTextNode(part));
      });
      node.replaceWith(fragment);
    });
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(chatchunkBreakNames); // Material's page-load signal
} else {
  document.addEventListener("DOMContentLoaded", chatchunkBreakNames);
}
