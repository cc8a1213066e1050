# syntax=docker/dockerfile:1
# The project's stand-in for the image vendors (OpenAI, DashScope, Ark, Gemini wire formats), for offline stacks.
#   docker build -f deploy/docker/fake-upstream.Dockerfile .

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -pl infra/fake-upstream -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group --create-home imagegen
WORKDIR /app
COPY --from=build /src/infra/fake-upstream/target/imagegen-fake-upstream.jar /app/app.jar
# Numeric, so Kubernetes runAsNonRoot can verify it; nothing is written outside /tmp (read-only root works).
USER 10001:10001
EXPOSE 8090
# Knobs (latency, error rates, big images) are set at runtime: POST /_fake/behaviour.
ENTRYPOINT ["java","-XX:MaxRAMPercentage=75","-Djava.awt.headless=true","-jar","/app/app.jar"]
