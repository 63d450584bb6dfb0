// Tenpoint admin web: small comforts only; every page works without it.
// Forms marked data-confirm ask before they send (revoke, roll back, remove).
'use strict';
document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});
