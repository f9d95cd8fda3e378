// Submits the forms marked data-autosubmit, as Moodle does for the LTI login and auth steps.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.submit();
  });
});
