// The language switch submits on change; kept here, not inline, so the Content-Security-Policy
// can forbid every inline script.
document.addEventListener("change", function (event) {
  if (event.target.id === "lang") {
    event.target.form.submit();
  }
});
