// Write controls (shown to users who may write): call the API, then reload or go on.
// Everything else on the pages works without JavaScript.
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-write]");
  if (!button) return;
  const message = button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) return;
  const result = document.getElementById("action-result");
  button.disabled = true;
  try {
    const response = await fetch(button.getAttribute("data-url"), {
      method: button.getAttribute("data-method"),
      headers: { "Accept": "application/hal+json, application/json" },
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const errors = body.errors ? [].concat(Object.values(body.errors)).flat().join("; ") : response.statusText;
      throw new Error(`${response.status}: ${errors}`);
    }
    if ("success" in body && result) {
      result.textContent = body.success ? "✔ The webhook ran successfully." : "✘ The webhook ran and failed.";
      result.hidden = false;
    }
    const then = button.getAttribute("data-then");
    window.setTimeout(() => { if (then) window.location.assign(then); else window.location.reload(); }, 600);
  } catch (error) {
    if (result) { result.textContent = `✘ Could not do that: ${error.message}`; result.hidden = false; }
    button.disabled = false;
  }
});
