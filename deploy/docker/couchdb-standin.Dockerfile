# A CouchDB-API stand-in for tests and the local stack where the official couchdb image cannot
# be pulled: pouchdb-server (npm), which speaks CouchDB's HTTP API (databases, documents with
# _rev, _bulk_docs, _all_docs, _changes). Real deployments use the official CouchDB image
# (deploy/k8s/base/couchdb). The build context is a pouchdb-server installation made on the host
# (scripts/install-pouchdb.sh: npm cannot reach its registry from inside a build container):
#   docker build -f deploy/docker/couchdb-standin.Dockerfile -t stratus-couchdb-standin:4.2.0 \
#     "${STRATUS_CACHE:-$HOME/.cache/stratus}/pouchdb"
# The data directory /opt/couchdb/data is the one writable path.
ARG NODE_BASE=node:20.19.5-bookworm-slim
FROM ${NODE_BASE}
COPY node_modules/ /opt/pouchdb/node_modules/
# The data directory belongs to the user, so that a fresh named volume there does too.
RUN mkdir -p /opt/couchdb/data && chown 10001:10001 /opt/couchdb/data
USER 10001:10001
WORKDIR /opt/couchdb/data
EXPOSE 5984
ENV COUCHDB_PORT=5984 COUCHDB_BIND_ADDRESS=localhost
ENTRYPOINT ["/bin/sh", "-c", "exec node /opt/pouchdb/node_modules/pouchdb-server/bin/pouchdb-server --host \"$COUCHDB_BIND_ADDRESS\" --port \"$COUCHDB_PORT\" --dir /opt/couchdb/data --config /opt/couchdb/data/config.json"]
