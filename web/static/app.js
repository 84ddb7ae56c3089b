// Small page behaviours, here rather than in onclick= attributes: the pages' policy
// (web/headers.py) runs no inline script.
document.addEventListener("input", function (e) {
  var t = e.target;
  // a range slider shows its value in the <output> right after it
  if (t.matches && t.matches("input[data-echo]") && t.nextElementSibling) {
    t.nextElementSibling.value = t.value;
  }
});
document.addEventListener("click", function (e) {
  var t = e.target.closest && e.target.closest("[data-print]");
  if (t) window.print();
});
