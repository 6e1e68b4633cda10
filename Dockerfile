# Static admissible binary on a distroless base, running as a non-root user.
FROM golang:1.27.3 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY resolvers/ resolvers/
COPY webhook/ webhook/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/admissible ./cmd/admissible

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/admissible /admissible
USER 65532:65532
ENTRYPOINT ["/admissible"]
CMD ["serve"]
