/* The header's bell: unread in-app notifications with a link to each, polled from the bell endpoint.
   Static (the CSP allows no inline script); everything shown is set as text, never as HTML. */
(function () {
    "use strict";
    var bell = document.querySelector("[data-bell]");
    if (!bell) { return; }
    var url = bell.dataset.bellUrl;
    var count = bell.querySelector("[data-bell-count]");
    var panel = bell.querySelector("[data-bell-panel]");
    var list = bell.querySelector("[data-bell-items]");
    var empty = bell.querySelector("[data-bell-empty]");
    var toggle = bell.querySelector("[data-bell-toggle]");

    function render(data) {
        count.hidden = !data.unread;
        count.textContent = data.unread > 99 ? "99+" : String(data.unread);
        bell.dataset.unread = String(data.unread);
        list.replaceChildren();
        data.items.forEach(function (item) {
            var link = document.createElement("a");
            link.href = item.url;
            link.textContent = item.subject;
            var row = document.createElement("li");
            row.appendChild(link);
            list.appendChild(row);
        });
        empty.hidden = data.items.length > 0;
    }

    function poll() {
        fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) { if (data) { render(data); } })
            .catch(function () {});
    }

    toggle.addEventListener("click", function (event) {
        event.stopPropagation();
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
    });
    document.addEventListener("click", function (event) {
        if (!bell.contains(event.target)) { panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); }
    });
    poll();
    window.setInterval(poll, 30000);
})();
