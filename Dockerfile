# Container image of the ecr-replication command:
#
#   docker build --build-arg VERSION=v1.2.3 -t ecr-replication:v1.2.3 .
#   docker run --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     -e AWS_SESSION_TOKEN ecr-replication:v1.2.3 wait --repository my-app --tag v1.2.3
#
# A static Go binary (no cgo) on distroless/static, which has the CA
# certificates and /etc/passwd entries the binary needs and nothing else, run
# as a non-root user. cmd/ecr-replication/static_test.go builds the binary
# with the flags of the "go build" line below and runs it with an empty
# environment, and checks the final stage and .dockerignore.

# The builder runs on the build machine's platform and cross-compiles for
# the target's (docker buildx build --platform linux/amd64,linux/arm64).
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
# The modules first, in a layer of their own that a change of the sources
# leaves cached.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG TARGETOS
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ecr-replication ./cmd/ecr-replication

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=devel
ARG REVISION=
LABEL org.opencontainers.image.title="ecr-replication" \
      org.opencontainers.image.description="Reports and waits for Amazon ECR image replication (DescribeImageReplicationStatus), for deployment pipelines" \
      org.opencontainers.image.source="https://github.com/ecrkit/ecrreplication" \
      org.opencontainers.image.url="https://github.com/ecrkit/ecrreplication" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/ecr-replication /ecr-replication
USER nonroot:nonroot
ENTRYPOINT ["/ecr-replication"]
