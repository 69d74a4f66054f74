// Mapping tables: an "Add a row" button under each table, so a long table needs no save in between. Without
// JavaScript every table still shows three empty rows, and saving brings three more.
(function () {
  document.querySelectorAll("fieldset.mapping table tbody").forEach(function (body) {
    var template = body.querySelector("tr:last-child");
    if (!template || !template.querySelector('input[type="text"]')) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary indented";
    button.textContent = "Add a row";
    button.addEventListener("click", function () {
      var row = template.cloneNode(true);
      var number = body.rows.length + 1;
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        var label = input.getAttribute("aria-label");
        if (label) input.setAttribute("aria-label", label.replace(/row \d+$/, "row " + number));
      });
      body.appendChild(row);
      var first = row.querySelector('input[type="text"]');
      if (first) first.focus();
    });
    body.closest("table").insertAdjacentElement("afterend", button);
  });
})();
