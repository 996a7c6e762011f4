# syntax=docker/dockerfile:1
# exitflow image: the `exitflow` CLI at /exitflow (migrate, import, export, generate, policy,
# preview, exits, report, config). Used by docker-compose.yml; build alone with
#   docker build -t exitflow .
# Tip: keep the build context small with a .dockerignore listing .data/, bin/ and .git/
# (`make run` keeps a ~250 MB Temporal CLI and a PostgreSQL cluster under .data/).

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Static binaries with the time zone database built in (EXITFLOW_TIMEZONE works on any base image).
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/exitflow ./starter
# The worker is `exitflow worker` (the compose `worker` service): the same binary.

FROM gcr.io/distroless/static-debian12:nonroot
# The binary built above lands in / (/exitflow).
COPY --from=build /out/ /
USER nonroot:nonroot
ENTRYPOINT ["/exitflow"]
CMD ["--help"]
