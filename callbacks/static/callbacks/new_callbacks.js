/* "2 neue Rückrufe" on the callback list: polls the list's new/ endpoint and shows a notice that reloads
   when clicked, instead of reloading under the user's hands. Static (no inline script under the CSP). */
(function () {
    "use strict";
    var notice = document.querySelector("[data-new-callbacks]");
    if (!notice) { return; }
    var url = notice.dataset.newCallbacks;
    var after = null;

    function ask() {
        var query = after === null ? "" : "?after=" + after;
        fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) {
                if (!data) { return; }
                if (after === null) { after = data.latest; notice.dataset.latest = String(after); return; }
                notice.hidden = !data.new;
                notice.querySelector("[data-new-callbacks-text]").textContent = data.text;
            })
            .catch(function () {});
    }

    notice.querySelector("button").addEventListener("click", function () { window.location.reload(); });
    ask();
    window.setInterval(ask, 15000);
})();
