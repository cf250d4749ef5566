// Show the numerator and denominator definitions only for the kinds that have them.
// Without JavaScript they are always shown, with a hint saying when they apply.
(function () {
  const form = document.querySelector("[data-measure-form]");
  if (!form) return;
  const block = form.querySelector("[data-shows-for]");
  const kinds = block.dataset.showsFor.split(" ");
  const hint = block.querySelector("[data-no-js-hint]");
  if (hint) hint.hidden = true;
  function update() {
    const chosen = form.querySelector('input[name="kind"]:checked');
    block.hidden = !(chosen && kinds.includes(chosen.value));
  }
  form.querySelectorAll('input[name="kind"]').forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
