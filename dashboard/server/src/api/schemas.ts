// Every shape the dashboard API takes and returns, once: the server validates
// requests and its own responses with these, the OpenAPI document is
// generated from them, and the web app (issue 12) imports them
// (`@nightshift/dashboard/api`) to type and check what it receives. One
// module per part of the API in schemas/.
export * from './schemas/common.ts';
export * from './schemas/stories.ts';
export * from './schemas/controls.ts';
export * from './schemas/queues.ts';
export * from './schemas/records.ts';
export * from './schemas/history.ts';
export * from './schemas/websocket.ts';
