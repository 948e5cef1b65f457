// An instant OpenAI-compatible chat-completions server for `npm run bench`: both the gateway and the baseline call it.
// Raw node:http so it costs as little CPU as possible; prints `listening on http://127.0.0.1:PORT` when ready.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let model = 'bench-model';
    let content = '';
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      model = typeof body.model === 'string' ? body.model : model;
      const last = Array.isArray(body.messages) ? body.messages[body.messages.length - 1] : undefined;
      content = typeof last?.content === 'string' ? last.content : '';
    } catch {
      // answer anyway: the bench only sends valid bodies
    }
    const payload = JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${content}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
