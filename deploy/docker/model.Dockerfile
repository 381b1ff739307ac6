# A trained model as a versioned, immutable artifact: model.onnx and model-card.json under
# /model, plus busybox's sh and cp so that an init container can copy them into the worker's volume.
# The image tag is the model's version (the "version" field of model-card.json); rolling back
# a model is deploying the previous tag.
#
# Build with the model directory as the context:
#   MODEL=models/default
#   VERSION=$(jq -r .version "$MODEL/model-card.json")
#   docker build -f deploy/docker/model.Dockerfile -t REGISTRY/stratus-model:"$VERSION" "$MODEL"

ARG BUSYBOX_BASE=busybox:1.37.0
FROM ${BUSYBOX_BASE}
COPY model.onnx model-card.json /model/
USER 10001:10001
# The init container names the destination as its one argument ($0 of the shell); copying the
# two files, not the directory, keeps a re-run (a restarted pod keeps its emptyDir) idempotent.
ENTRYPOINT ["/bin/sh", "-c", "mkdir -p \"$0\" && cp /model/model.onnx /model/model-card.json \"$0\"/"]
