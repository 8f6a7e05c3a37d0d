// Behaviour that used to sit in inline handlers, moved here so the Content-Security-Policy can refuse
// every inline script: the language switch submits on change, "Print" buttons print.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var language = document.getElementById("duban-language-select");
  if (language) {
    language.addEventListener("change", function () {
      language.form.submit();
    });
  }
  document.querySelectorAll("[data-duban-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
