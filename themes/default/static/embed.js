// dossier's click-to-load players (SPEC §3). A brief's embed is a link to
// the provider's page (it works with JavaScript off); a click replaces it
// with the provider's player, so nothing is fetched from the provider before
// the reader asks. Only player URLs of the shapes dossier writes are loaded,
// whatever a page's markup says. A theme may replace this file, or drop it
// and leave the links.
(function () {
  "use strict";
  var players = [
    /^https:\/\/www\.youtube-nocookie\.com\/embed\/[A-Za-z0-9_-]{11}(\?start=[0-9]{1,6})?$/,
    /^https:\/\/player\.vimeo\.com\/video\/[0-9]{1,20}(\?h=[0-9a-f]{1,40})?$/,
    /^https:\/\/embed\.documentcloud\.org\/documents\/[0-9]{1,20}-[a-z0-9-]{1,200}\/\?embed=1$/
  ];
  function allowed(src) {
    for (var i = 0; i < players.length; i++) {
      if (players[i].test(src)) return true;
    }
    return false;
  }
  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a.embed-link[data-embed]") : null;
    if (!link) return;
    var src = link.getAttribute("data-embed");
    if (!allowed(src)) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    var video = src.indexOf("documentcloud") === -1;
    frame.src = video ? src + (src.indexOf("?") === -1 ? "?" : "&") + "autoplay=1" : src;
    frame.title = link.getAttribute("data-title") || link.textContent;
    frame.className = "embed-frame";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups");
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("loading", "lazy");
    link.replaceWith(frame);
    frame.focus();
  });
})();
