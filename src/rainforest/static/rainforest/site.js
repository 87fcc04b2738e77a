// Kept here, not inline, so the Content-Security-Policy can forbid every inline script.

// Menus open on click; without this script they open on hover and focus (site.css).
document.documentElement.classList.add("js");

// The language switch submits on change.
document.addEventListener("change", function (event) {
  if (event.target.id === "lang") {
    event.target.form.submit();
  }
});

// The main menu: one programme's panel open at a time; Escape, a click elsewhere or leaving the
// menu with the keyboard closes it; the arrow keys move through its pages.
(function () {
  function setOpen(group, open) {
    var button = group.querySelector(".menu-button");
    group.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function closeAll(except) {
    document.querySelectorAll("nav.main .group.open").forEach(function (group) {
      if (group !== except) {
        setOpen(group, false);
      }
    });
  }

  function links(group) {
    return Array.prototype.slice.call(group.querySelectorAll(".menu a"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("nav.main .menu-button");
    if (button) {
      var group = button.parentElement;
      closeAll(group);
      setOpen(group, !group.classList.contains("open"));
      return;
    }
    if (!event.target.closest("nav.main .menu")) {
      closeAll(null);
    }
  });

  document.addEventListener("keydown", function (event) {
    var group = event.target.closest && event.target.closest("nav.main .group");
    if (!group || !group.querySelector(".menu-button")) {
      return;
    }
    var items = links(group);
    var index = items.indexOf(event.target);
    if (event.key === "Escape" && group.classList.contains("open")) {
      setOpen(group, false);
      group.querySelector(".menu-button").focus();
      event.preventDefault();
    } else if (event.key === "ArrowDown") {
      closeAll(group);
      setOpen(group, true);
      items[Math.min(index + 1, items.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && index >= 0) {
      (index > 0 ? items[index - 1] : group.querySelector(".menu-button")).focus();
      event.preventDefault();
    }
  });

  document.addEventListener("focusout", function (event) {
    var group = event.target.closest && event.target.closest("nav.main .group.open");
    if (group && event.relatedTarget && !group.contains(event.relatedTarget)) {
      setOpen(group, false);
    }
  });
})();
