// Preloaded into pouchdb-server by dev.stratus.cluster.LocalCouchDb (NODE_OPTIONS=--require ...).
//
// CouchDB's [chttpd] require_valid_user, which pouchdb-server lacks: every request must carry
// the stack's Basic credentials, or it is answered 401 before pouchdb-server sees it. Its own
// admins are no substitute: with one configured, an anonymous PUT /anyone makes pouchdb-server
// 4.2.0 throw ("db.info is not a function") and exit, and anonymous reads and writes of a
// database without a _security object pass. So this is the one check, and the login is taken
// off a request once checked: pouchdb-server's own Basic login of the same user cost 0.7-1.4 ms
// of its CPU a request (a third more per _bulk_docs write), for nothing this check has not done.
'use strict';
const crypto = require('crypto');
const http = require('http');

const user = process.env.STRATUS_COUCHDB_USER;
const password = process.env.STRATUS_COUCHDB_PASSWORD;
// Nothing the server starts inherits them.
delete process.env.STRATUS_COUCHDB_USER;
delete process.env.STRATUS_COUCHDB_PASSWORD;
if (!user || !password) {
  console.error('couchdb-guard: STRATUS_COUCHDB_USER and STRATUS_COUCHDB_PASSWORD must be set');
  process.exit(2);
}

const digest = (text) => crypto.createHash('sha256').update(text, 'utf8').digest();
const expected = digest(user + ':' + password);
const UNAUTHORIZED = JSON.stringify({ error: 'unauthorized', reason: 'Name or password is incorrect.' }) + '\n';

function authorized(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header || '');
  if (!match) {
    return false;
  }
  // Equal-length digests, compared in constant time.
  return crypto.timingSafeEqual(digest(Buffer.from(match[1], 'base64').toString('utf8')), expected);
}

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, response) {
  if (event === 'request' && !authorized(request.headers.authorization)) {
    response.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(UNAUTHORIZED) });
    response.end(UNAUTHORIZED);
    return true;
  }
  if (event === 'request') {
    delete request.headers.authorization;
  }
  return emit.apply(this, arguments);
};
