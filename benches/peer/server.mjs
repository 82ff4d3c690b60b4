// The peer kommo-mcp's benchmark must beat (BENCHMARKS.md): a small stateful streamable-HTTP
// MCP server on the TypeScript SDK (@modelcontextprotocol/sdk), plus its legacy SSE transport,
// with the same tool definitions as kommo-mcp (read from --tools, kommo-mcp's own tools/list
// result) and a move_lead that does what kommo-mcp's does against the same Kommo simulator:
// GET the lead, check the move against pipelines read once at start, PATCH it.
//
// Usage: node server.mjs --tools FILE --kommo API_ROOT --token TOKEN
// Prints "listening http://127.0.0.1:PORT" on stdout once it accepts connections.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

const { values } = parseArgs({
  options: { tools: { type: 'string' }, kommo: { type: 'string' }, token: { type: 'string' } },
});
const toolsResult = JSON.parse(readFileSync(values.tools, 'utf8'));
const root = values.kommo;
const auth = { authorization: `Bearer ${values.token}` };

async function kommo(method, path, body) {
  const response = await fetch(`${root}${path}`, {
    method,
    headers: body ? { ...auth, 'content-type': 'application/json' } : auth,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Kommo answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

const pipelines = (await kommo('GET', '/api/v4/leads/pipelines'))._embedded.pipelines;

async function moveLead({ lead_id, pipeline_id, status_id }) {
  const lead = await kommo('GET', `/api/v4/leads/${lead_id}`);
  const pipeline = pipelines.find((p) => p.id === pipeline_id);
  if (!pipeline || !pipeline._embedded.statuses.some((s) => s.id === status_id)) {
    return { isError: true, content: [{ type: 'text', text: 'Failed to move lead' }] };
  }
  const output = {
    lead_id, pipeline_id, status_id, changed: true,
    previous_pipeline_id: lead.pipeline_id, previous_status_id: lead.status_id,
  };
  if (lead.pipeline_id === pipeline_id && lead.status_id === status_id) {
    output.changed = false;
  } else {
    await kommo('PATCH', `/api/v4/leads/${lead_id}`, { pipeline_id, status_id });
  }
  return { content: [{ type: 'text', text: 'Lead moved successfully' }], structuredContent: output };
}

function mcpServer() {
  const server = new Server({ name: 'kommo-peer', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => toolsResult);
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'move_lead') return moveLead(request.params.arguments ?? {});
    return { isError: true, content: [{ type: 'text', text: `not in the peer: ${request.params.name}` }] };
  });
  return server;
}

const sessions = new Map();
const sseSessions = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fail(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://peer');
  if (url.pathname === '/mcp') {
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || 'null') : undefined;
    const id = req.headers['mcp-session-id'];
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id || req.method !== 'POST' || !isInitializeRequest(body)) return fail(res, 400, 'no valid session');
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
      await mcpServer().connect(transport);
    }
    return transport.handleRequest(req, res, body);
  }
  if (url.pathname === '/sse' && req.method === 'GET') {
    const transport = new SSEServerTransport('/messages', res);
    sseSessions.set(transport.sessionId, transport);
    res.on('close', () => sseSessions.delete(transport.sessionId));
    return mcpServer().connect(transport);
  }
  if (url.pathname === '/messages' && req.method === 'POST') {
    const transport = sseSessions.get(url.searchParams.get('sessionId'));
    if (!transport) return fail(res, 404, 'no such SSE session');
    return transport.handlePostMessage(req, res, JSON.parse(await readBody(req)));
  }
  fail(res, 404, 'not found');
}

const http = createServer((req, res) => {
  handle(req, res).catch((err) => {
    if (!res.headersSent) fail(res, 500, String(err));
  });
});
http.keepAliveTimeout = 120_000;
http.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${http.address().port}`);
});
