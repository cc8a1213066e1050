# syntax=docker/dockerfile:1
# Build context is the repository root: the reactor needs every module's pom.xml.
#   docker build -f deploy/docker/worker.Dockerfile .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Cache mount keeps the Maven repository between builds without baking it into a layer.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl worker-service -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group --create-home imagegen
WORKDIR /app
COPY --from=build /src/worker-service/target/imagegen-worker.jar /app/app.jar
# Numeric, so Kubernetes runAsNonRoot can verify it; nothing is written outside /tmp (read-only root works).
USER 10001:10001
# /metrics and /health for Prometheus and orchestrators (IMAGEGEN_WORKER_HTTP_PORT); jobs come from Kafka only.
# The same jar holds the dead-letter replay command:
#   docker compose exec worker java -cp /app/app.jar io.imagegen.worker.deadletters.DlqReplay --dry-run
EXPOSE 9090
# Headless ImageIO PNG encoding needs no fonts. Exec form so java is PID 1 and gets SIGTERM,
# which makes the worker drain in-flight jobs (IMAGEGEN_SHUTDOWN_TIMEOUT) before exiting.
ENTRYPOINT ["java","-XX:MaxRAMPercentage=75","-Djava.awt.headless=true","-jar","/app/app.jar"]
