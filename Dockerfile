# syntax=docker/dockerfile:1
# The edge-NPU inference server: built with the Maven wrapper, run on a Java 17 runtime as a non-root user,
# with the default model repository inside the image (nothing is downloaded at run time).
#   docker build -t edgenpu:0.1.0 .
#   docker run --rm -p 8000:8000 -p 8001:8001 --read-only --tmpfs /tmp edgenpu:0.1.0
# Where no registry is reachable, deployment/image.sh builds a base from Debian packages and passes it as
# BUILD_IMAGE and RUN_IMAGE (both need a JDK 17 or JRE 17 with `java` on the PATH, and useradd).
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUN_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
# -ntp: no transfer progress in the build log; a local repository mounted at /root/.m2 is used when present.
RUN ./mvnw -B -ntp -DskipTests -pl service -am package \
 && cp service/target/service-*.jar /src/server.jar

FROM ${RUN_IMAGE}
RUN groupadd --system --gid 10001 edgenpu \
 && useradd --system --uid 10001 --gid edgenpu --home-dir /app --shell /usr/sbin/nologin edgenpu
WORKDIR /app
COPY --from=build /src/server.jar /app/server.jar
COPY models/repository /app/models/repository
USER 10001:10001
# REST (OIP v2, WebSocket stream, metrics, dashboard) and gRPC.
EXPOSE 8000 8001
# ONNX Runtime unpacks its native library under java.io.tmpdir: keep /tmp writable (a tmpfs or emptyDir)
# when the root filesystem is read-only. The default model repository, models/repository, resolves against
# the working directory /app; configuration (e.g. the chart's ConfigMap) may point elsewhere.
ENTRYPOINT ["java", "-jar", "/app/server.jar"]
