# syntax=docker/dockerfile:1
# Build context is the repository root: the reactor needs every module's pom.xml.
#   docker build -f deploy/docker/api.Dockerfile .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Cache mount keeps the Maven repository between builds without baking it into a layer.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl api-service -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group --create-home imagegen
WORKDIR /app
COPY --from=build /src/api-service/target/imagegen-api.jar /app/app.jar
# Numeric, so Kubernetes runAsNonRoot can verify it; nothing is written outside /tmp (read-only root works).
USER 10001:10001
EXPOSE 8080
# The Ubuntu-based temurin images ship curl (adoptium/containers keeps it installed).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS http://localhost:8080/health >/dev/null || exit 1
# Exec form so java is PID 1 and receives SIGTERM for a graceful shutdown.
ENTRYPOINT ["java","-XX:MaxRAMPercentage=75","-Djava.awt.headless=true","-jar","/app/app.jar"]
