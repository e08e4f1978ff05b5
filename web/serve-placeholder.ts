// Stands in for the SvelteKit app until the web issue lands: one page that proves the stack answers.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 5173);
const functionsUrl = process.env.FUNCTIONS_URL ?? "http://127.0.0.1:54321/functions/v1";

const page = `<!doctype html>
<html lang="pt-BR">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Renum</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
<body>
<h1>Renum</h1>
<p>Equipes de agentes de IA para empresas reais. O aplicativo web chega em breve; a pilha local está no ar.</p>
<p id="health">Verificando o banco de dados…</p>
<script>
fetch(${JSON.stringify(functionsUrl + "/health")}).then((r) => r.json()).then((h) => {
  document.getElementById("health").textContent = "Postgres " + h.postgres.version + " com " + h.extensions.length + " extensões.";
}).catch(() => { document.getElementById("health").textContent = "A função health não respondeu."; });
</script>
</body></html>`;

createServer((request, response) => {
  if (request.url === "/" || request.url === "/index.html") {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(page);
    return;
  }
  response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  response.end("Not found");
}).listen(port, "127.0.0.1", () => console.log(`web: http://127.0.0.1:${port}`));
