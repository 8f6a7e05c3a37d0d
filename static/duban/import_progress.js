/* An Excel import's page while it is analysed or applied: poll the status URL, move the progress
   bar, and reload the page (which then shows the preview or the result) once the work is done. */
(function () {
    "use strict";
    var box = document.getElementById("duban-import-progress");
    if (!box) { return; }
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var count = box.querySelector(".duban-import-count");
    var label = document.getElementById("duban-import-status");

    function poll() {
        fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.json(); })
            .then(function (state) {
                bar.value = state.percent;
                count.textContent = state.done + " / " + state.total;
                if (label) { label.textContent = state.status_label; }
                if (state.finished) {
                    window.location.reload();
                } else {
                    window.setTimeout(poll, 700);
                }
            })
            .catch(function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 300);
}());
