/* CarBot chat widget. The chat issue fills this in; until then it announces itself only. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (script && window.console) {
    window.console.info("CarBot widget: the chat is not available yet.");
  }
})();
