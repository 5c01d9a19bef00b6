/* The callback list and page: deadlines that tick and change colour (amber within the warning lead, red
   when overdue; the same rule as callbacks.admin.columns.deadline_state), and the list's keys:
   "/" search, "j"/"k" next and previous row, Enter open, "t" take it. Served as a static file: the CSP
   allows no inline script without a nonce. */
(function () {
    "use strict";

    function clock(seconds) {
        var s = Math.floor(Math.abs(seconds));
        var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
        var two = function (n) { return (n < 10 ? "0" : "") + n; };
        return (h > 0 ? h + ":" + two(m) : m) + ":" + two(r);
    }

    function tick() {
        var now = Date.now();
        document.querySelectorAll("[data-deadline]").forEach(function (el) {
            var left = (Date.parse(el.dataset.deadline) - now) / 1000;
            var holder = el.closest("[data-warn]");  // the page's deadline, or the list's table
            var warn = parseFloat(holder ? holder.dataset.warn : "0");
            el.dataset.state = left < 0 ? "overdue" : (left <= warn ? "soon" : "ok");
            var text = left < 0 ? el.dataset.overText : el.dataset.leftText;
            var target = el.querySelector(".sb-deadline-left");
            if (text && target) { target.textContent = text.replace("{time}", clock(left)); }
        });
    }

    function rows() { return Array.prototype.slice.call(document.querySelectorAll("#result_list tr.data-row")); }

    function typing(event) {
        var el = event.target;
        return el && (["INPUT", "TEXTAREA", "SELECT"].indexOf(el.tagName) >= 0 || el.isContentEditable);
    }

    function move(step) {
        var all = rows();
        if (!all.length) { return; }
        var index = all.findIndex(function (row) { return row.classList.contains("sb-current"); });
        var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
        all.forEach(function (row) { row.classList.remove("sb-current"); row.removeAttribute("aria-current"); });
        all[next].classList.add("sb-current");
        all[next].setAttribute("aria-current", "true");
        all[next].scrollIntoView({block: "nearest"});
    }

    function current() { return document.querySelector("#result_list tr.sb-current"); }

    function onKey(event) {
        if (event.ctrlKey || event.metaKey || event.altKey || typing(event) || !document.getElementById("result_list")) {
            return;
        }
        var row = current();
        if (event.key === "/") {
            var search = document.getElementById("searchbar");
            if (search) { event.preventDefault(); search.focus(); search.select(); }
        } else if (event.key === "j") {
            move(1);
        } else if (event.key === "k") {
            move(-1);
        } else if (event.key === "Enter" && row) {
            var link = row.querySelector("th a, td.field-customer_column a");
            if (link) { event.preventDefault(); window.location.href = link.href; }
        } else if (event.key === "t" && row) {
            var take = row.querySelector("[data-action=take]");
            if (take) { event.preventDefault(); take.click(); }
        }
    }

    document.addEventListener("keydown", onKey);
    tick();
    window.setInterval(tick, 1000);
})();
