// The API explorer: Swagger UI over the description the server publishes. A script file, not an
// inline one: the pages' Content-Security-Policy runs no inline script.
(function () {
  const root = document.getElementById('swagger-ui');
  if (!root || typeof SwaggerUIBundle !== 'function') { return; }
  SwaggerUIBundle({
    url: root.dataset.description,
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false
  });
})();
